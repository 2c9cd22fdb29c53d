import Logging
import BridgeWire
import BridgeHTTP

/// Carries host messages to the server and the server's messages back to the host.
///
/// One object holding references to the few shared owners (session, in-flight table, stdout writer), shared by
/// every relay task (a class: copying a struct of a dozen references cost ~1.5 % of the CPU in retains). Writing an
/// answer always goes through `InFlightTable.claim`, which is what makes "exactly one answer per request" hold
/// whichever path (response, error, timeout, shutdown) gets there first.
final class Relay: Sendable {
    let endpoint: RemoteEndpoint
    let session: SessionState
    let inFlight: InFlightTable
    let output: StdoutWriter
    let reader: ReplyReader
    let toolFilter: ToolFilter
    let toolSafety = ToolSafety()
    let toolHeaders = ToolHeaderCache()
    let retryPolicy: RetryPolicy
    let requestTimeout: Duration?
    /// Streamable HTTP or the 2024-11-05 HTTP+SSE transport (`--transport`); see `Relay+TransportFallback`.
    let transports: TransportSelection
    /// `--protocol`: the server's era, and what translating between the host's era and the server's keeps.
    let translation: Translation
    let logger: Logger

    init(endpoint: RemoteEndpoint, session: SessionState, inFlight: InFlightTable, output: StdoutWriter,
         logger: Logger) {
        let configuration = endpoint.configuration
        self.endpoint = endpoint
        self.session = session
        self.inFlight = inFlight
        self.output = output
        self.reader = ReplyReader(maxMessageBytes: configuration.maxMessageBytes)
        self.toolFilter = ToolFilter(patterns: configuration.ignoredTools)
        self.requestTimeout = configuration.requestTimeout
        self.retryPolicy = RetryPolicy(maxRetries: configuration.retries, budget: configuration.retryBudget)
        self.transports = TransportSelection(strategy: configuration.transport)
        self.translation = Translation(mode: configuration.protocolMode, transport: configuration.transport)
        self.logger = logger
    }

    /// Writes the bridge's error as the answer to `id`, unless someone already answered or the host cancelled.
    func answer(_ id: RequestID, with error: BridgeError) async {
        guard inFlight.claim(id) else { return }
        logger.debug("request failed", metadata: ["mcp.id": "\(id)", "error.code": "\(error.code.rawValue)"])
        await output.write(ErrorResponse.line(id: id, error: error))
    }

    /// Sends a server message to the host. Responses are written only if their request is still owed an answer;
    /// returns true when the message answered `request`.
    @discardableResult
    func route(_ message: ServerMessage, answering request: HostRequest? = nil, head: HTTPResponseHead? = nil)
        async -> Bool
    {
        let envelope = message.envelope
        switch envelope.kind {
        case .response:
            guard let id = envelope.id else {
                logger.warning("dropped a server error without an id", metadata: ["body": "\(excerpt(message.bytes))"])
                return false
            }
            let answers = id == request?.id
            var bytes = message.bytes
            if answers, let request {
                bytes = await adapt(message, to: request, head: head)
                if case .capture(let box) = request.delivery {
                    box.store(bytes == message.bytes ? message : ServerMessage(bytes: bytes, envelope:
                        (try? Envelope.classify(bytes)) ?? message.envelope))
                    return true
                }
            }
            guard inFlight.claim(id) else {
                logger.debug("dropped a response nobody waits for", metadata: ["mcp.id": "\(id)"])
                return answers
            }
            await output.write(OutputLine.flatten(bytes))
            return answers
        case .batch:
            // A 2025-03-26 batch reply is written as the one line it is; its responses answer their requests.
            for range in envelope.batchElements {
                if let inner = try? Envelope.classify(message.bytes, range: range), inner.kind == .response,
                   let id = inner.id {
                    _ = inFlight.claim(id)
                }
            }
            await output.write(OutputLine.flatten(message.bytes))
            return false
        case .request, .notification:
            if let intercept = request?.intercept, await intercept(message) { return false }
            if request == nil, translation.eras.hostIsModern == true, translation.eras.known?.isModern == false {
                await routeUnattachedToModernHost(message)
                return false
            }
            await output.write(OutputLine.flatten(message.bytes))
            return false
        }
    }

    /// Writes a response the bridge obtained itself (translation) as the answer to the host's `id`.
    func deliver(_ reply: ServerMessage, to id: RequestID) async {
        var bytes = reply.bytes
        if reply.envelope.id != id, let renamed = MessageSplice.replacingID(in: bytes, with: id) { bytes = renamed }
        guard inFlight.claim(id) else { return }
        await output.write(OutputLine.flatten(bytes))
    }

    /// Answers the host's request with a result the bridge composed (`result` is JSON text); false when the
    /// request no longer waits (answered or cancelled).
    @discardableResult
    func answerLocally(_ id: RequestID, result: String) async -> Bool {
        guard inFlight.claim(id) else { return false }
        await output.write(Array(#"{"jsonrpc":"2.0","id":\#(id.json),"result":\#(result)}"#.utf8))
        return true
    }

    /// The few responses the bridge must look into: `initialize` (session facts) and `tools/list` (hidden tools,
    /// retry safety, 2026-07-28 header schemas).
    private func adapt(_ message: ServerMessage, to request: HostRequest, head: HTTPResponseHead?) async -> [UInt8] {
        guard !message.envelope.isError else { return message.bytes }
        switch request.method {
        case "initialize":
            let version = message.envelope.result.flatMap {
                Envelope.string(atPath: ["protocolVersion"], in: message.bytes, root: $0)
            }
            await session.adopt(sessionID: head?.value(for: HeaderName.sessionID), protocolVersion: version)
            return message.bytes
        case "tools/list":
            toolSafety.learn(from: message)
            var bytes = toolFilter.isEmpty ? message.bytes : ToolListFilter.removing(toolFilter, from: message)
            if request.modern != nil { bytes = adaptModernToolList(message, bytes: bytes) }
            return bytes
        default:
            return message.bytes
        }
    }

    func excerpt(_ bytes: [UInt8]) -> String {
        BridgeError.excerpt(bytes, limit: 200)
    }
}
