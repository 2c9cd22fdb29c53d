import Logging

/// Carries host messages to the server and the server's messages back to the host.
///
/// A value holding references to the few shared owners (session, in-flight table, stdout writer); every relay
/// task gets a copy. Writing an answer always goes through `InFlightTable.claim`, which is what makes
/// "exactly one answer per request" hold whichever path (response, error, timeout, shutdown) gets there first.
struct Relay: Sendable {
    let endpoint: RemoteEndpoint
    let session: SessionState
    let inFlight: InFlightTable
    let output: StdoutWriter
    let reader: ReplyReader
    let toolFilter: ToolFilter
    let toolSafety = ToolSafety()
    let retryPolicy: RetryPolicy
    let requestTimeout: Duration?
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
        self.logger = logger
    }

    /// Writes the bridge's error as the answer to `id`, unless someone already answered or the host cancelled.
    func answer(_ id: RequestID, with error: BridgeError) async {
        guard inFlight.claim(id) else { return }
        logger.debug("request failed", metadata: ["mcp.id": "\(id)", "error.code": "\(error.code.rawValue)"])
        await output.write(ErrorResponse.line(id: id, error: error))
    }

    /// Sends a server message to the host. Responses are written only if their request is still owed an answer;
    /// returns true when the message answered `expected`.
    @discardableResult
    func route(_ message: ServerMessage, expected: RequestID? = nil, method: String? = nil,
               head: HTTPResponseHead? = nil) async -> Bool {
        let envelope = message.envelope
        switch envelope.kind {
        case .response:
            guard let id = envelope.id else {
                logger.warning("dropped a server error without an id", metadata: ["body": "\(excerpt(message.bytes))"])
                return false
            }
            var bytes = message.bytes
            if id == expected, let method {
                bytes = await adapt(message, method: method, head: head)
            }
            guard inFlight.claim(id) else {
                logger.debug("dropped a response nobody waits for", metadata: ["mcp.id": "\(id)"])
                return id == expected
            }
            await output.write(OutputLine.flatten(bytes))
            return id == expected
        case .batch:
            // A 2025-03-26 batch reply is written as the one line it is; its responses answer their requests.
            for range in envelope.batchElements {
                if let inner = try? Envelope.classify(Array(message.bytes[range])), inner.kind == .response,
                   let id = inner.id {
                    _ = inFlight.claim(id)
                }
            }
            await output.write(OutputLine.flatten(message.bytes))
            return false
        case .request, .notification:
            await output.write(OutputLine.flatten(message.bytes))
            return false
        }
    }

    /// The few responses the bridge must look into: `initialize` (session facts) and `tools/list` (hidden tools).
    private func adapt(_ message: ServerMessage, method: String, head: HTTPResponseHead?) async -> [UInt8] {
        switch method {
        case "initialize" where !message.envelope.isError:
            let version = message.envelope.result.flatMap {
                Envelope.string(atPath: ["protocolVersion"], in: message.bytes, root: $0)
            }
            await session.adopt(sessionID: head?.value(for: HeaderName.sessionID), protocolVersion: version)
            return message.bytes
        case "tools/list" where !message.envelope.isError:
            toolSafety.learn(from: message)
            return toolFilter.isEmpty ? message.bytes : ToolListFilter.removing(toolFilter, from: message)
        default:
            return message.bytes
        }
    }

    func excerpt(_ bytes: [UInt8]) -> String {
        BridgeError.excerpt(bytes, limit: 200)
    }
}
