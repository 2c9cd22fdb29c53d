import BridgeWire
import Logging

/// The only way anything reaches the host's stdout.
///
/// Answers go through `InFlightTable.claim` here and nowhere else, which is what makes "exactly one answer per
/// request" hold whichever path (response, error, timeout, shutdown) gets there first. Everything else the host
/// receives (server notifications and requests, the bridge's own questions) is written as the one line it is.
/// Each answer is told to the `RequestMonitor` (when reporting is on) and, with `--ordered`, waits its turn in
/// `AnswerOrder`.
final class ReplySink: Sendable {
    let inFlight: InFlightTable
    private let output: StdoutWriter
    private let logger: Logger
    let monitor: RequestMonitor?
    private let order: AnswerOrder?

    init(inFlight: InFlightTable, output: StdoutWriter, logger: Logger, monitor: RequestMonitor? = nil,
         ordered: Bool = false) {
        self.inFlight = inFlight
        self.output = output
        self.logger = logger
        self.monitor = monitor
        self.order = ordered ? AnswerOrder() : nil
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
        guard let entry = inFlight.claim(id) else {
            logger.debug("dropped a response nobody waits for", metadata: ["mcp.id": "\(id)"])
            return false
        }
        let line = OutputLine.flatten(Self.bytes(of: reply, as: entry.hostID))
        monitor?.answered(entry, RequestOutcome(of: reply), bytesOut: line.count)
        await write(line, answering: entry)
        return true
    }

    /// The host cancelled `id`: forgotten without an answer (its relay task stopped), and with `--ordered` the
    /// answers behind it no longer wait for it. Returns the forgotten entry, nil when `id` was not in flight.
    @discardableResult
    func cancel(_ id: RequestID) async -> InFlightTable.Entry? {
        let entry = inFlight.cancel(id)
        if let order, let entry { await order.skip(entry.sequence, output: output) }
        return entry
    }

    /// An answer's line: at once, or in its request's turn with `--ordered`.
    private func write(_ line: [UInt8], answering entry: InFlightTable.Entry) async {
        if let order {
            await order.answer(entry.sequence, line: line, to: output)
        } else {
            await output.write(line)
        }
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
        guard let entry = inFlight.claim(id) else { return false }
        let line = Array(#"{"jsonrpc":"2.0","id":\#(entry.hostID.json),"result":\#(result)}"#.utf8)
        monitor?.answered(entry, .result, bytesOut: line.count)
        await write(line, answering: entry)
        return true
    }

    /// Answers `id` with the bridge's error, unless someone already answered or the host cancelled.
    func fail(_ id: RequestID, with error: BridgeError) async {
        guard let entry = inFlight.claim(id) else { return }
        logger.debug("request failed", metadata: ["mcp.id": "\(id)", "error.code": "\(error.code.rawValue)"])
        let line = ErrorResponse.line(id: entry.hostID, error: error)
        monitor?.answered(entry, .error(code: error.code.rawValue), bytesOut: line.count)
        await write(line, answering: entry)
    }

    /// Answers `id` with a JSON-RPC error of the protocol's own (not the bridge's table), e.g. -32022.
    func fail(_ id: RequestID, code: Int, message: String, data: [(String, String)]) async {
        guard let entry = inFlight.claim(id) else { return }
        let line = ErrorResponse.line(id: entry.hostID, code: code, message: message, data: data)
        monitor?.answered(entry, .error(code: code), bytesOut: line.count)
        await write(line, answering: entry)
    }

    /// Refuses a line that never became a request in flight (not JSON-RPC, a reused id, a hidden tool).
    /// Written at once, even with `--ordered`: such a line has no place among the requests.
    func refuse(id: RequestID?, code: Int, message: String) async {
        monitor?.refused()
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
        var answered: [(InFlightTable.Entry, ServerMessage)] = []
        for element in messages {
            guard element.envelope.kind == .response else {
                await send(element.bytes)
                continue
            }
            guard let id = element.envelope.id, let entry = inFlight.claim(id) else {
                logger.debug("dropped a response nobody waits for", metadata: ["mcp.id": "\(element.envelope.id?.json ?? "null")"])
                continue
            }
            answers.append(Self.bytes(of: element, as: entry.hostID))
            answered.append((entry, element))
        }
        guard let first = answered.min(by: { $0.0.sequence < $1.0.sequence }) else { return }
        let line = OutputLine.flatten(BatchSplit.joining(answers))
        if let monitor {
            for (index, (entry, element)) in answered.enumerated() {
                monitor.answered(entry, RequestOutcome(of: element), bytesOut: answers[index].count)
            }
        }
        // --ordered: the batch's one line takes the place of its earliest request.
        await write(line, answering: first.0)
        if let order {
            for (entry, _) in answered where entry.sequence != first.0.sequence {
                await order.skip(entry.sequence, output: output)
            }
        }
    }

    /// A server request or notification for the host, or a message the bridge itself sends it (a question, an
    /// acknowledgement, a cancellation): written as is.
    func send(_ message: [UInt8]) async {
        let line = OutputLine.flatten(message)
        monitor?.messageToHost(bytes: line.count)
        await output.write(line)
    }
}
