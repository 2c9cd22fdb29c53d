import BridgeRuntime
import BridgeWire
import Synchronization

/// Requests the bridge itself sends to the host (the `inputRequests` of a 2026-07-28 `input_required` result, for a
/// host that expects server-to-client requests), and the host's answers to them.
///
/// Ids are the bridge's own (`mcp-bridge-input-N`), so the host's response is recognised and kept off the wire.
final class HostQuestions: Sendable {
    enum Answer: Sendable {
        case answered(ServerMessage)
        case cancelled
        /// stdin ended: the host can no longer answer.
        case abandoned
    }

    private let table = WaiterTable<RequestID, Void, Answer>()
    private let counter = Atomic<Int>(0)

    /// A fresh id, registered so an answer arriving before anyone waits is kept.
    func open() -> RequestID {
        let id = RequestID.string("mcp-bridge-input-\(counter.add(1, ordering: .relaxed).newValue)")
        _ = table.register(id, context: ())
        return id
    }

    /// A response from the host: true when it answers one of the bridge's questions (and must not be relayed).
    func deliver(_ bytes: [UInt8], envelope: Envelope) -> Bool {
        guard let id = envelope.id, table.context(of: id) != nil else { return false }
        return table.resolve(id, with: .answered(ServerMessage(bytes: bytes, envelope: envelope)))
    }

    func wait(_ id: RequestID) async -> Answer {
        await table.wait(id, timeout: nil, timedOut: .cancelled, cancelled: .cancelled)
    }

    func close(_ id: RequestID) {
        table.remove(id)
    }

    /// The host's input has ended: nothing it could still send will arrive, so nobody should keep waiting.
    func abandonAll() {
        table.resolveAll(where: { _ in true }, with: .abandoned)
    }
}
