import BridgeWire
import Synchronization

/// What a caller does with each message of its call's reply, in order: true for the message that answers the call.
/// The caller decides (write it to the host, keep it, turn a server request into something else); the channel only
/// learns whether the call was answered.
typealias ReplyHandler = (ServerMessage) async throws -> Bool

/// A way to talk to the server: Streamable HTTP with its session (`SessionChannel`), the 2024-11-05 HTTP+SSE
/// transport (`LegacySSEChannel`), or the choice between them (`TransportSelector`).
///
/// Calls hand the reply's messages to the caller's handler rather than to hooks hung on the request, so the one
/// who sent a request is the one who decides what its answer becomes.
protocol ServerChannel: Sendable {
    /// Sends `request` and hands its reply's messages to `onMessage` until one answers it; throws (a `BridgeError`
    /// from the documented table, or `CancellationError`) when no answer can come.
    func call(_ request: HostRequest, onMessage: ReplyHandler) async throws

    /// Sends a notification or an answer to a server request; returns the HTTP status, nil when it could not be
    /// delivered (logged, never written to stdout). Messages the server sends in reply go to `Inbound`.
    @discardableResult
    func send(_ message: [UInt8], what: String) async -> Int?

    /// Sends a 2025-03-26 batch (`ids`: the requests in it). Responses in the reply go to `Inbound` like any
    /// response; returns the requests no reply answered, each with the error that answers it.
    func batch(_ message: [UInt8], ids: [RequestID]) async -> [(RequestID, BridgeError)]
}

/// Where server messages that belong to no call of the bridge's go: the GET stream, the shared 2024-11-05 stream,
/// the reply to a notification.
///
/// Bound once by the composition root (`Bridge`), after the era handlers exist: they decide what such a message
/// becomes for the host, and they are built on the channels that deliver here.
final class Inbound: Sendable {
    typealias Route = @Sendable (ServerMessage) async -> Void
    private let route = Mutex<Route?>(nil)

    func bind(_ handler: @escaping Route) {
        route.withLock { $0 = handler }
    }

    func deliver(_ message: ServerMessage) async {
        await route.withLock({ $0 })?(message)
    }
}
