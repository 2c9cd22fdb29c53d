import Synchronization

/// Holds the response to a request whose answer the bridge reads itself instead of writing it to stdout.
///
/// Filled by `Relay.route` (possibly on another task, for the 2024-11-05 SSE stream) and read once the exchange
/// returned; the first response wins, as it would on stdout.
final class ReplyBox: Sendable {
    private let slot = Mutex<ServerMessage?>(nil)

    func store(_ message: ServerMessage) {
        slot.withLock { if $0 == nil { $0 = message } }
    }

    var message: ServerMessage? { slot.withLock { $0 } }
}
