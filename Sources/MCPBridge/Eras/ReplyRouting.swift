import BridgeWire
import Logging

/// What the messages of a call's reply become for the host, in the common case: the answer adapted and handed to
/// whoever asked, server notifications and requests written as they are, stray responses to their own requests.
///
/// Every handler starts from this and changes only what its era pairing needs (a translator keeps the answer, the
/// modern-host translator turns server requests into `input_required`).
struct ReplyRouting: Sendable {
    let sink: ReplySink
    let tools: ToolCatalog
    let logger: Logger

    /// Hands the answer to `request` (adapted, see `adapt`) to `answer`; every other message goes to the host.
    /// Returns true for the answer.
    func route(_ message: ServerMessage, of request: HostRequest,
               answer: (ServerMessage) async throws -> Void) async rethrows -> Bool {
        if message.envelope.kind == .response, request.id.isEchoed(by: message.envelope.id) {
            try await answer(adapt(message, to: request))
            return true
        }
        await forward(message)
        return false
    }

    /// The reply's messages that answer nothing of the bridge's: responses claim their own request, a batch reply
    /// its requests, server requests and notifications go to the host.
    func forward(_ message: ServerMessage) async {
        switch message.envelope.kind {
        case .response: await sink.deliverResponse(message)
        case .batch: await sink.deliverBatch(message)
        case .request, .notification: await sink.send(message.bytes)
        }
    }

    /// The one response the bridge looks into: `tools/list` (hidden tools, retry safety, 2026-07-28 header
    /// schemas). Session facts of `initialize` are the session layer's.
    func adapt(_ message: ServerMessage, to request: HostRequest) -> ServerMessage {
        guard request.method == "tools/list", !message.envelope.isError else { return message }
        let bytes = tools.adapt(message, modern: request.modern != nil)
        guard bytes != message.bytes else { return message }
        return ServerMessage(bytes: bytes, envelope: (try? Envelope.classify(bytes)) ?? message.envelope)
    }
}
