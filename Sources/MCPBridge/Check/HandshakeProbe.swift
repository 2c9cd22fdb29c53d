import BridgeHTTP
import BridgeWire

/// The MCP part of `check`: `server/discover` first (the era probe the bridge itself makes); then, for a 2026-07-28
/// server, `tools/list` with the era's `_meta` and headers, else initialize, initialized, tools/list and the DELETE
/// of any session it created.
struct HandshakeProbe {
    let endpoint: RemoteEndpoint
    let reader: ReplyReader
    private var session = SessionState.Snapshot(sessionID: nil, protocolVersion: nil, generation: 0)
    /// Why the last step failed, for a report line of its own.
    private var lastFailure: String?
    /// A step that carried the session got 404: the server did not find the session it had just created.
    private var sessionMissed = false

    init(endpoint: RemoteEndpoint, maxMessageBytes: Int) {
        self.endpoint = endpoint
        self.reader = ReplyReader(maxMessageBytes: maxMessageBytes)
    }

    static let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"#
        + #""protocolVersion":"\#(ProtocolVersions.latestHandshake)","#
        + #""capabilities":{},"clientInfo":{"name":"mcp-bridge-check","version":"\#(BridgeVersion.current)"}}}"#
    static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#
    static let toolsList = #"{"jsonrpc":"2.0","id":2,"method":"tools/list"}"#

    static func modern(id: Int, method: String, version: String) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{"_meta":"#
            + ProtocolVersions.bridgeMeta(version: version, clientName: "mcp-bridge-check") + "}}"
    }

    mutating func run(into report: inout HealthCheck.Report, tlsVerified: Bool) async {
        let mode = endpoint.configuration.protocolMode
        if mode != .legacy {
            let latest = ProtocolVersions.latestModern
            let headers = [HTTPHeader(name: HeaderName.protocolVersion, value: latest),
                           HTTPHeader(name: "Mcp-Method", value: "server/discover")]
            var quiet = HealthCheck.Report()
            let probed = await step("discover", Self.modern(id: 1, method: "server/discover", version: latest),
                                    headers: headers, into: &quiet)
            if let (head, reply) = probed, let reply, let facts = DiscoverFacts(reply) {
                report.lines += quiet.lines
                reportReachable(head, tlsVerified: tlsVerified, into: &report)
                await runModern(facts, reply: reply, into: &report)
                return await reportRelay(serverSpeaksModern: true, into: &report)
            }
            if probed == nil, !quiet.lines.contains(where: { $0.contains("FAILED: HTTP ") }) {
                return report.fail("reachable", lastFailure ?? "no answer")
            }
            guard mode == .auto else {
                return report.fail("discover", "--protocol modern, but the server does not answer server/discover "
                    + "as a 2026-07-28 server does" + (quiet.lines.first.map { ":\($0)" } ?? ""))
            }
            report.pass("era", "2025 (handshake): the server does not answer server/discover as 2026-07-28 does")
        }
        guard let (head, reply) = await step("initialize", Self.initialize, into: &report) else { return }
        reportReachable(head, tlsVerified: tlsVerified, into: &report)
        guard let reply, let result = reply.envelope.result else {
            report.fail("server", "initialize returned an error: " + BridgeError.excerpt(reply?.bytes ?? [], limit: 300))
            return
        }
        let version = Envelope.string(atPath: ["protocolVersion"], in: reply.bytes, root: result)
        let name = Envelope.string(atPath: ["serverInfo", "name"], in: reply.bytes, root: result) ?? "?"
        let serverVersion = Envelope.string(atPath: ["serverInfo", "version"], in: reply.bytes, root: result) ?? "?"
        report.pass("server", "\(name) \(serverVersion), protocol \(version ?? "?")")
        do {
            session.sessionID = try ServerHeaderValue.sessionID(head.value(for: HeaderName.sessionID))
        } catch {
            return report.fail("session", error.message)
        }
        session.protocolVersion = version
        report.pass("session", session.sessionID == nil ? "stateless (no Mcp-Session-Id)" : "session-based")
        _ = await step("initialized", Self.initialized, into: &report)
        if let (_, tools) = await step("tools/list", Self.toolsList, into: &report) { reportTools(tools, into: &report) }
        if sessionMissed {
            report.fail("session", Self.sessionNotKept + "; make the balancer sticky (a cookie, or a hash on "
                + "Mcp-Session-Id): the server speaks no 2026-07-28, which would need none")
        }
        await endSession()
        await reportRelay(serverSpeaksModern: false, into: &report)
    }

    private func endSession() async {
        guard session.sessionID != nil else { return }
        let delete = endpoint.delete(session: session)
        _ = try? await endpoint.send(delete, ExchangeContext(label: "DELETE session")) { $0.status }
    }

    /// Which era the relay speaks for each host era, and why: the rule `EraRouter` applies (README "Protocol eras").
    /// For a dual-era server that takes a quiet `initialize`: whether it keeps a session decides for 2025 hosts.
    private mutating func reportRelay(serverSpeaksModern: Bool, into report: inout HealthCheck.Report) async {
        switch endpoint.configuration.protocolMode {
        case .modern:
            return report.pass("relay", "2026-07-28 for every host (--protocol modern); 2025 hosts are translated")
        case .legacy:
            return report.pass("relay", "the 2025 handshake era for every host (--protocol legacy); 2026-07-28 "
                + "hosts are translated")
        case .auto:
            break
        }
        guard serverSpeaksModern else {
            return report.pass("relay", "2025 hosts as written; 2026-07-28 hosts translated to the handshake era "
                + "(the server speaks no 2026-07-28)")
        }
        var quiet = HealthCheck.Report()
        let answered = await step("initialize", Self.initialize, into: &quiet)
        let accepted = answered?.1?.envelope.result != nil
        // A session id that could not be sent back is no session: nothing to DELETE, and no 2025 relay either.
        session.sessionID = try? ServerHeaderValue.sessionID(answered?.0.value(for: HeaderName.sessionID))
        let why: String
        if accepted, session.sessionID != nil, await sessionHolds() {
            why = "2025 hosts as written too: the server keeps a 2025 session (Mcp-Session-Id), so requests it "
                + "sends mid-call reach the host; the bridge moves to 2026-07-28 if that session is lost"
        } else if accepted, session.sessionID != nil {
            why = "2025 hosts move to 2026-07-28 at their first request that misses the session: "
                + Self.sessionNotKept + "; every call works in 2026-07-28, but a question asked mid-call through "
                + "ctx.elicit (a server request) cannot reach the host there; sticky sessions keep the 2025 era"
        } else if accepted {
            why = "2025 hosts translated to 2026-07-28: the server keeps no 2025 session, so only 2026-07-28 "
                + "(input_required) can carry its questions to the host"
        } else {
            why = "2025 hosts translated to 2026-07-28: the server refuses the 2025 handshake"
        }
        report.pass("relay", "2026-07-28 hosts as written; " + why)
        await endSession()
    }

    static let sessionNotKept = "the server did not find the session it had just created on a later request "
        + "(HTTP 404: replicas behind a load balancer without session affinity?)"

    /// Whether the session the quiet `initialize` created is found by the next two requests: stateful replicas
    /// behind plain round robin answer 404 for a session another replica holds.
    private mutating func sessionHolds() async -> Bool {
        var quiet = HealthCheck.Report()
        sessionMissed = false
        _ = await step("initialized", Self.initialized, into: &quiet)
        _ = await step("tools/list", Self.toolsList, into: &quiet)
        return !sessionMissed
    }

    private func reportReachable(_ head: HTTPResponseHead, tlsVerified: Bool, into report: inout HealthCheck.Report) {
        let scheme = endpoint.configuration.serverURL.lowercased().hasPrefix("https") ? "https" : "http"
        let tls = scheme == "https" ? (tlsVerified ? "TLS verified" : "TLS NOT verified (--insecure)") : "plain http"
        report.pass("reachable", "yes, HTTP/\(head.httpVersion), \(tls)")
    }

    /// A 2026-07-28 server: no handshake and no session; the tool list is read the way a modern host would.
    private mutating func runModern(_ facts: DiscoverFacts, reply: ServerMessage, into report: inout HealthCheck.Report) async {
        let info = ["_meta", ProtocolVersions.MetaKey.serverInfo]
        let name = Envelope.string(atPath: ["result"] + info + ["name"], in: reply.bytes) ?? "?"
        let serverVersion = Envelope.string(atPath: ["result"] + info + ["version"], in: reply.bytes) ?? "?"
        report.pass("server", "\(name) \(serverVersion), protocol \(facts.version)")
        report.pass("session", "none: 2026-07-28 is stateless (no initialize, no Mcp-Session-Id)")
        let headers = [HTTPHeader(name: HeaderName.protocolVersion, value: facts.version),
                       HTTPHeader(name: "Mcp-Method", value: "tools/list")]
        if let (_, tools) = await step("tools/list", Self.modern(id: 2, method: "tools/list", version: facts.version),
                                       headers: headers, into: &report) {
            reportTools(tools, into: &report)
        }
    }

    private func reportTools(_ tools: ServerMessage?, into report: inout HealthCheck.Report) {
        guard let tools, let result = tools.envelope.result,
              let list = try? JSONScanner.value(atPath: ["tools"], in: tools.bytes, root: result),
              let elements = try? JSONScanner.elements(of: list.range, in: tools.bytes) else { return }
        report.pass("tools", "\(elements.count) tool\(elements.count == 1 ? "" : "s")")
    }

    /// POSTs one message and reports status and latency; returns the head and the response message, if any.
    private mutating func step(_ name: String, _ message: String, headers: [HTTPHeader] = [],
                      into report: inout HealthCheck.Report) async -> (HTTPResponseHead, ServerMessage?)? {
        let started = ContinuousClock.now
        let post = endpoint.post(Array(message.utf8), session: session, extraHeaders: headers, timeout: .seconds(30))
        do {
            let reply: (HTTPResponseHead, ServerMessage?)? = try await endpoint.send(post, ExchangeContext(label: name)) {
                response in
                if response.status == 404, session.sessionID != nil { sessionMissed = true }
                guard (200..<300).contains(response.status) else {
                    let body = await response.collect(upTo: 300)
                    report.fail(name, "HTTP \(response.status): " + BridgeError.excerpt(body, limit: 300))
                    return nil
                }
                var message: ServerMessage?
                if let format = ReplyReader.format(of: response.head) {
                    _ = try await reader.read(format, from: &response) {
                        if $0.envelope.kind == .response { message = $0 }
                    }
                }
                return (response.head, message)
            }
            guard let (head, response) = reply else { return nil }
            report.pass(name, "\(head.status) in \(HealthCheck.elapsed(since: started))")
            if message.contains(#""id""#) && response == nil {
                report.fail(name, "no JSON-RPC response in the reply")
                return nil
            }
            return (head, response)
        } catch {
            lastFailure = "\(error)"
            report.fail(name, "\(error)")
            return nil
        }
    }
}
