import BridgeRuntime
import Synchronization

/// Calls to a legacy server that are waiting, mid-stream, for a 2026-07-28 host to retry them with its input.
///
/// A legacy server asks for input (elicitation, sampling, roots) in the middle of a call and keeps the call's stream
/// open until it gets the answer; a modern host instead receives an `input_required` result and sends the request
/// again under a new id with `inputResponses` and the `requestState` it was given. The bridge's `requestState`
/// names the parked call here; the retry resumes it.
final class ParkedCalls: Sendable {
    enum Outcome: Sendable {
        case retried(HostRequest)
        case timedOut
        case cancelled
    }

    /// How long a parked call waits for the host's retry before the server's request is answered with an error.
    static let patience: Duration = .seconds(600)

    private let table = WaiterTable<String, Void, Outcome>()

    /// An unguessable token for a new parked call (the host must echo it verbatim, never construct it).
    func open() -> String {
        let token = "mcp-bridge-" + String(UInt64.random(in: .min ... .max), radix: 36)
            + String(UInt64.random(in: .min ... .max), radix: 36)
        _ = table.register(token, context: ())
        return token
    }

    func wait(_ token: String) async -> Outcome {
        await table.wait(token, timeout: Self.patience, timedOut: .timedOut, cancelled: .cancelled)
    }

    func close(_ token: String) {
        table.remove(token)
    }

    /// Hands a host retry to the call it resumes; false when no call waits under `token`.
    func resume(_ token: String, with retry: HostRequest) -> Bool {
        guard table.context(of: token) != nil else { return false }
        return table.resolve(token, with: .retried(retry))
    }

    /// The host's input has ended: nothing it could still send will arrive, so nobody should keep waiting.
    func abandonAll() {
        table.resolveAll(where: { _ in true }, with: .cancelled)
    }
}
