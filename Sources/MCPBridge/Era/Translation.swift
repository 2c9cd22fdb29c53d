import Synchronization

/// The state era translation keeps between messages, one owner per concern, shared by every relay task.
final class Translation: Sendable {
    let eras: EraState
    /// A 2025 host's `initialize` facts, for the `_meta` of its requests to a 2026-07-28 server.
    let host = HostProfile()
    /// Requests the bridge sends the host on a modern server's behalf (`input_required`), awaiting answers.
    let questions = HostQuestions()
    /// Calls to a legacy server waiting for a modern host's retry with `inputResponses`.
    let parked = ParkedCalls()
    /// The handshake the bridge runs with a legacy server for a modern host.
    let legacyLink = LegacyLink()
    /// A modern host's `subscriptions/listen` requests, served from a legacy server's GET stream.
    let listens = ListenRegistry()
    /// A modern host's calls in flight on a legacy server, for server requests that arrive outside their stream.
    let activeCalls = ActiveCalls()
    /// A legacy host's list-changed and resource subscriptions, held open as one `subscriptions/listen`.
    let hostListen = TaskSlot()
    /// Opens the legacy server's GET stream once the bridge's own handshake is done (set by `Bridge`).
    let startServerStream = Mutex<(@Sendable () -> Void)?>(nil)

    init(mode: ProtocolMode, transport: TransportStrategy) {
        eras = EraState(mode: mode, transport: transport)
    }
}

/// One long-running task that can be replaced (cancelling the previous one) or stopped.
final class TaskSlot: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    func replace(with body: @escaping @Sendable () async -> Void) {
        let new = Task { await body() }
        task.withLock { task in
            task?.cancel()
            task = new
        }
    }

    func stop() {
        task.withLock { task in
            task?.cancel()
            task = nil
        }
    }
}

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
