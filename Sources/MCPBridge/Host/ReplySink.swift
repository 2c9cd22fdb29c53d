import BridgeWire
import Logging

/// The only way anything reaches the host's stdout.
///
/// Answers go through `InFlightTable.claim` here and nowhere else, which is what makes "exactly one answer per
/// request" hold whichever path (response, error, timeout, shutdown) gets there first. Everything else the host
/// receives (server notifications and requests, the bridge's own questions) is written as the one line it is.
final class ReplySink: Sendable {
    let inFlight: InFlightTable
    private let output: StdoutWriter
    private let logger: Logger

    init(inFlight: InFlightTable, output: StdoutWriter, logger: Logger) {
        self.inFlight = inFlight
        self.output = output
        self.logger = logger
    }

    /// Whether `id` still waits for its answer (not answered, not cancelled).
    func isOwed(_ id: RequestID) -> Bool {
        inFlight.method(of: id) != nil
    }

    /// Writes a response as the answer to `id`, under the id exactly as the host wrote it, whatever the server
    /// echoed (another spelling, a lone surrogate replaced) or the id the bridge sent the request under; false when
    /// `id` was already answered or cancelled.
    @discardableResult
    func answer(_ id: RequestID, with reply: ServerMessage) async -> Bool {
        guard let hostID = inFlight.claim(id) else {
            logger.debug("dropped a response nobody waits for", metadata: ["mcp.id": "\(id)"])
            return false
        }
        await output.write(OutputLine.flatten(Self.bytes(of: reply, as: hostID)))
        return true
    }

    /// The reply's bytes, with its id replaced by `hostID`'s text unless it is already exactly that.
    private static func bytes(of reply: ServerMessage, as hostID: RequestID) -> [UInt8] {
        guard reply.envelope.id?.json != hostID.json,
              let renamed = MessageSplice.replacingID(in: reply.bytes, with: hostID) else { return reply.bytes }
        return renamed
    }

    /// Answers `id` with a result the bridge composed (`result` is JSON text).
    @discardableResult
    func answer(_ id: RequestID, result: String) async -> Bool {
        guard let hostID = inFlight.claim(id) else { return false }
        await output.write(Array(#"{"jsonrpc":"2.0","id":\#(hostID.json),"result":\#(result)}"#.utf8))
        return true
    }

    /// Answers `id` with the bridge's error, unless someone already answered or the host cancelled.
    func fail(_ id: RequestID, with error: BridgeError) async {
        guard let hostID = inFlight.claim(id) else { return }
        logger.debug("request failed", metadata: ["mcp.id": "\(id)", "error.code": "\(error.code.rawValue)"])
        await output.write(ErrorResponse.line(id: hostID, error: error))
    }

    /// Answers `id` with a JSON-RPC error of the protocol's own (not the bridge's table), e.g. -32022.
    func fail(_ id: RequestID, code: Int, message: String, data: [(String, String)]) async {
        guard let hostID = inFlight.claim(id) else { return }
        await output.write(ErrorResponse.line(id: hostID, code: code, message: message, data: data))
    }

    /// Refuses a line that never became a request in flight (not JSON-RPC, a reused id, a hidden tool).
    func refuse(id: RequestID?, code: Int, message: String) async {
        await output.write(ErrorResponse.line(id: id, code: code, message: message,
                                              data: [("source", JSONString.quote("mcp-bridge"))]))
    }

    /// A server response outside any call the bridge reads itself: written if its id is still owed an answer.
    func deliverResponse(_ message: ServerMessage) async {
        guard let id = message.envelope.id else {
            logger.warning("dropped a server error without an id",
                           metadata: ["body": "\(BridgeError.excerpt(message.bytes, limit: 200))"])
            return
        }
        await answer(id, with: message)
    }

    /// A server batch outside any call (the reply to a host's 2025-03-26 batch): the responses still owed are
    /// written as one batch line, each under its host's exact id; server requests and notifications inside go to
    /// the host as their own lines; responses nobody waits for and what is no JSON-RPC message are dropped.
    func deliverBatch(_ message: ServerMessage) async {
        let (messages, dropped) = ServerMessage.elements(of: message)
        if dropped > 0 { ReplyReader.warnDropped(dropped, of: message, logger: logger) }
        var answers: [[UInt8]] = []
        for element in messages {
            guard element.envelope.kind == .response else {
                await send(element.bytes)
                continue
            }
            guard let id = element.envelope.id, let hostID = inFlight.claim(id) else {
                logger.debug("dropped a response nobody waits for", metadata: ["mcp.id": "\(element.envelope.id?.json ?? "null")"])
                continue
            }
            answers.append(Self.bytes(of: element, as: hostID))
        }
        guard !answers.isEmpty else { return }
        await output.write(OutputLine.flatten(BatchSplit.joining(answers)))
    }

    /// A server request or notification for the host, or a message the bridge itself sends it (a question, an
    /// acknowledgement, a cancellation): written as is.
    func send(_ message: [UInt8]) async {
        await output.write(OutputLine.flatten(message))
    }
}
