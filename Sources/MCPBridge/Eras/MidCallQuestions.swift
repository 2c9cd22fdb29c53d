import BridgeWire
import Synchronization

/// Server requests relayed to the host from a call's reply stream as written (`ctx.elicit`, sampling, roots
/// mid-call), by their id, with the host request whose stream carried them.
///
/// The host's answer goes back in a POST of its own, which must reach the server instance that asked. One that does
/// not know the session (HTTP 404: stateful replicas behind a balancer without affinity) leaves the call waiting
/// for an answer that can never come, so `Router` has the call answered with an error instead of hanging.
/// Only calls that carried a server request touch it: the usual call pays nothing.
final class MidCallQuestions: Sendable {
    struct Asked: Sendable {
        var method: String
        var call: RequestID
    }

    private let asked = Mutex<[RequestID: Asked]>([:])

    func note(_ question: RequestID, method: String, during call: RequestID) {
        asked.withLock { $0[question] = Asked(method: method, call: call) }
    }

    /// What `question` asked and during which call (forgotten: the host answers each question once).
    func take(_ question: RequestID) -> Asked? {
        asked.withLock { $0.removeValue(forKey: question) }
    }

    /// `call` ended: its questions the host never answered are no longer anyone's.
    func forget(call: RequestID) {
        asked.withLock { asked in asked = asked.filter { $0.value.call != call } }
    }
}
