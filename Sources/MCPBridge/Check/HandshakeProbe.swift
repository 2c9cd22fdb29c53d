/// The MCP part of `check`: initialize, initialized, tools/list, then DELETE of any session it created.
struct HandshakeProbe {
    let endpoint: RemoteEndpoint
    let reader: ReplyReader
    private var session = SessionState.Snapshot(sessionID: nil, protocolVersion: nil, generation: 0)

    init(endpoint: RemoteEndpoint, maxMessageBytes: Int) {
        self.endpoint = endpoint
        self.reader = ReplyReader(maxMessageBytes: maxMessageBytes)
    }

    static let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-11-25","#
        + #""capabilities":{},"clientInfo":{"name":"mcp-bridge-check","version":"\#(BridgeVersion.current)"}}}"#
    static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
    static let toolsList = #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#

    mutating func run(into report: inout HealthCheck.Report, tlsVerified: Bool) async {
        guard let (head, reply) = await step("initialize", Self.initialize, into: &report) else { return }
        let scheme = endpoint.configuration.serverURL.lowercased().hasPrefix("https") ? "https" : "http"
        let tls = scheme == "https" ? (tlsVerified ? "TLS verified" : "TLS NOT verified (--insecure)") : "plain http"
        report.pass("reachable", "yes, HTTP/\(head.httpVersion), \(tls)")
        guard let reply, let result = reply.envelope.result else {
            report.fail("server", "initialize returned an error: " + BridgeError.excerpt(reply?.bytes ?? [], limit: 300))
            return
        }
        let version = Envelope.string(atPath: ["protocolVersion"], in: reply.bytes, root: result)
        let name = Envelope.string(atPath: ["serverInfo", "name"], in: reply.bytes, root: result) ?? "?"
        let serverVersion = Envelope.string(atPath: ["serverInfo", "version"], in: reply.bytes, root: result) ?? "?"
        report.pass("server", "\(name) \(serverVersion), protocol \(version ?? "?")")
        session.sessionID = head.value(for: HeaderName.sessionID)
        session.protocolVersion = version
        report.pass("session", session.sessionID == nil ? "stateless (no Mcp-Session-Id)" : "session-based")
        _ = await step("initialized", Self.initialized, into: &report)
        if let (_, tools) = await step("tools/list", Self.toolsList, into: &report), let tools,
           let result = tools.envelope.result,
           let list = try? JSONScanner.value(atPath: ["tools"], in: tools.bytes, root: result),
           let elements = try? JSONScanner.elements(of: list.range, in: tools.bytes) {
            report.pass("tools", "\(elements.count) tool\(elements.count == 1 ? "" : "s")")
        }
        if session.sessionID != nil {
            var events = endpoint.delete(session: session).events.makeAsyncIterator()
            _ = try? await Relay.head(of: &events)
        }
    }

    /// POSTs one message and reports status and latency; returns the head and the response message, if any.
    private func step(_ name: String, _ message: String, into report: inout HealthCheck.Report) async
        -> (HTTPResponseHead, ServerMessage?)?
    {
        let started = ContinuousClock.now
        let transfer = endpoint.post(Array(message.utf8), session: session, timeout: .seconds(30))
        var events = transfer.events.makeAsyncIterator()
        do {
            let head = try await Relay.head(of: &events)
            guard (200..<300).contains(head.status) else {
                let body = try await Relay.collect(&events, limit: 300)
                report.fail(name, "HTTP \(head.status): " + BridgeError.excerpt(body, limit: 300))
                return nil
            }
            var response: ServerMessage?
            if let format = ReplyReader.format(of: head) {
                _ = try await reader.read(format, from: &events, acknowledge: transfer.acknowledge) { message in
                    if message.envelope.kind == .response { response = message }
                }
            }
            report.pass(name, "\(head.status) in \(HealthCheck.elapsed(since: started))")
            if message.contains(#""id""#) && response == nil {
                report.fail(name, "no JSON-RPC response in the reply")
                return nil
            }
            return (head, response)
        } catch {
            report.fail(name, "\(error)")
            return nil
        }
    }
}
