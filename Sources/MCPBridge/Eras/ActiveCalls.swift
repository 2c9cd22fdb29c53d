import Synchronization

/// A modern host's calls in flight on a legacy server, by a private number, with the handler that turns a server
/// request into an `input_required` result for that call.
///
/// The 2024-11-05 transport (and a server that ignores related-request routing) delivers server requests on the
/// shared stream, not the call's own: with exactly one call in flight the request can only be that call's.
final class ActiveCalls: Sendable {
    typealias Handler = @Sendable (ServerMessage) async -> Bool
    private let state = Mutex<(next: Int, calls: [Int: Handler])>((0, [:]))

    func add(_ handler: @escaping Handler) -> Int {
        state.withLock { state in
            state.next += 1
            state.calls[state.next] = handler
            return state.next
        }
    }

    func remove(_ key: Int) {
        state.withLock { _ = $0.calls.removeValue(forKey: key) }
    }

    /// The handler of the only call in flight, if exactly one is.
    var sole: Handler? {
        state.withLock { $0.calls.count == 1 ? $0.calls.values.first : nil }
    }
}
