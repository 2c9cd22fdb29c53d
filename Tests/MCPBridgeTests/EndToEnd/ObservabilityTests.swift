import Foundation
import Testing

/// What a user watching the bridge relies on (README "Watching it"): JSON log lines a collector can parse, a timing
/// record per request at `--debug`, `--stats` at exit, and a W3C `traceparent` on every POST so the server's
/// traces join the host's. The real binary against the Python SDK's server (2025 handshake era, relayed as is).
@Suite("Watching it: JSON logs, timings, stats, trace context")
struct ObservabilityTests {
    static let secret = "s3cr3t-observe-bearer"

    /// Every stderr line parsed as a JSON object (the test fails on a line that is not one).
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map { line in
            let object = try JSONSerialization.jsonObject(with: Data(line.utf8))
            return try #require(object as? [String: Any], "not a JSON object: \(line)")
        }
    }

    private func bridge(_ flags: [String]) async throws -> BridgeProcess {
        let server = try await SharedServers.stateful.value
        return try BridgeProcess([server.url(SharedServers.mcpPath), "--header", "Authorization: Bearer \(Self.secret)"]
            + flags)
    }

    @Test func jsonLogLinesParseWithTheDocumentedKeysAndNoSecret() async throws {
        let bridge = try await bridge(["--log-format", "json", "--debug"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "request_headers"))
        let (call, _) = try await bridge.readResponse(id: 2)
        #expect(call.toolText?.contains(Self.secret) == true, "the header must still reach the server")
        try bridge.send(#"{"jsonrpc":"2.0","id":3,"method":"no/such/method"}"#)
        _ = try await bridge.readResponse(id: 3)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let lines = try Self.jsonLines(bridge.stderr.text)
        #expect(lines.count > 5, "debug logging says something per message: \(lines.count) lines")
        let timestamp = try Regex(#"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$"#)
        for line in lines {
            let ts = try #require(line["ts"] as? String)
            #expect(ts.wholeMatch(of: timestamp) != nil, "ts \(ts)")
            #expect(["debug", "info", "warning", "error"].contains(line["level"] as? String ?? ""), "\(line)")
            #expect(line["msg"] is String)
        }
        #expect(lines.contains { $0["msg"] as? String == "host request" && $0["mcp.method"] as? String == "tools/call" })
        #expect(!bridge.stderr.text.contains(Self.secret), "\(bridge.stderr.text)")
    }

    @Test func debugWritesOneTimingRecordPerAnsweredRequest() async throws {
        let bridge = try await bridge(["--log-format", "json", "--debug"])
        _ = try await bridge.handshake()
        let echo = Messages.call(id: 7, tool: "echo", arguments: #"{"text":"hi"}"#)
        try bridge.send(echo)
        let answer = try await bridge.readLine()
        let unknown = #"{"jsonrpc":"2.0","id":"u","method":"no/such/method"}"#
        try bridge.send(unknown)
        let refusal = try await bridge.readLine()
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let records = try Self.jsonLines(bridge.stderr.text).filter { $0["msg"] as? String == "request answered" }
        #expect(records.count == 3, "initialize, the call and the unknown method: \(records)")
        let call = try #require(records.first { $0["mcp.id"] as? Int == 7 }, "the id as the host wrote it: \(records)")
        #expect(call["mcp.method"] as? String == "tools/call")
        #expect(call["outcome"] as? String == "result")
        #expect(call["http.status"] as? Int == 200)
        #expect(call["http.attempts"] as? Int == 1)
        #expect(call["bytes.in"] as? Int == echo.utf8.count)
        #expect(call["bytes.out"] as? Int == answer.utf8.count)
        #expect((call["elapsed_ms"] as? Double ?? -1) >= 0)
        #expect(call["error.code"] == nil)
        let failed = try #require(records.first { $0["mcp.id"] as? String == "u" }, "\(records)")
        #expect(failed["outcome"] as? String == "error")
        #expect(failed["error.code"] as? Int == -32601)
        #expect(failed["bytes.in"] as? Int == unknown.utf8.count)
        #expect(failed["bytes.out"] as? Int == refusal.utf8.count)
    }

    @Test func statsAtExitCountWhatWasSent() async throws {
        let bridge = try await bridge(["--log-format", "json", "--stats", "--silent"])
        var sent = [Messages.initialize(id: 1), Messages.initialized]
        for id in 2...4 { sent.append(Messages.call(id: id, tool: "echo", arguments: #"{"text":"x\#(id)"}"#)) }
        sent.append(#"{"jsonrpc":"2.0","id":5,"method":"no/such/method"}"#)
        var received: [String] = []
        for line in sent {
            try bridge.send(line)
            if line.contains(#""id":"#) { received.append(try await bridge.readLine()) }
        }
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let stats = try #require(try Self.jsonLines(bridge.stderr.text).first { $0["msg"] as? String == "stats" },
                                 "--stats is written even with --silent: \(bridge.stderr.text)")
        let requests = try #require(stats["requests"] as? [String: [String: Int]])
        #expect(requests == ["initialize": ["result": 1], "tools/call": ["result": 3], "no/such/method": ["error": 1]])
        #expect(stats["requests.total"] as? Int == 5)
        #expect(stats["error_codes"] as? [String: Int] == ["-32601": 1])
        #expect(stats["notifications.from_host"] as? Int == 1)
        #expect(stats["retries"] as? Int == 0)
        #expect(stats["bytes.in"] as? Int == sent.reduce(0) { $0 + $1.utf8.count })
        #expect(stats["bytes.out"] as? Int == received.reduce(0) { $0 + $1.utf8.count })
        let latency = try #require(stats["latency_ms"] as? [String: Double])
        let (p50, p90, p99, max) = (latency["p50"] ?? -1, latency["p90"] ?? -1, latency["p99"] ?? -1, latency["max"] ?? -1)
        #expect(p50 >= 0 && p50 <= p90 && p90 <= p99 && p99 <= max, "\(latency)")
    }

    @Test func retriesShowInTheTimingRecordAndTheStats() async throws {
        let fault = try await SharedServers.fault.value
        let bridge = try BridgeProcess([fault.url("/status?code=503&retry_after=0"), "--retries", "2",
                                        "--log-format", "json", "--debug", "--stats"])
        try bridge.send(Messages.toolsList(id: 1))
        let answer = try await bridge.readMessage()
        #expect(answer.errorCode == -32004)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let lines = try Self.jsonLines(bridge.stderr.text)
        let record = try #require(lines.first { $0["msg"] as? String == "request answered" }, "\(lines)")
        #expect(record["http.attempts"] as? Int == 3, "the first POST and two retries: \(record)")
        #expect(record["http.status"] as? Int == 503)
        #expect(record["error.code"] as? Int == -32004)
        let stats = try #require(lines.first { $0["msg"] as? String == "stats" })
        #expect(stats["retries"] as? Int == 2)
        #expect(stats["requests"] as? [String: [String: Int]] == ["tools/list": ["error": 1]])
    }

    @Test func statsAreOneTextLineByDefault() async throws {
        let bridge = try await bridge(["--stats"])
        _ = try await bridge.handshake()
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let lines = bridge.stderr.text.split(separator: "\n").filter { $0.hasPrefix("mcp-bridge: stats ") }
        #expect(lines.count == 1, "\(bridge.stderr.text)")
        #expect(lines.first?.contains("requests.total=1") == true)
    }

    // MARK: trace context

    /// The headers the server saw for one `tools/call request_headers`, sent with `meta` as `params._meta`.
    private func headersSeen(meta: String?, flags: [String] = []) async throws -> [String: String] {
        let bridge = try await bridge(flags)
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "request_headers", meta: meta))
        let (call, _) = try await bridge.readResponse(id: 2)
        try bridge.closeStdin()
        _ = try await bridge.waitForExit()
        let text = try #require(call.toolText)
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
    }

    @Test func theHostsTraceparentAndTracestateReachTheServer() async throws {
        let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let headers = try await headersSeen(meta: #"{"traceparent":"\#(parent)","tracestate":"congo=t61rcWkgMzE"}"#)
        #expect(headers["traceparent"] == parent)
        #expect(headers["tracestate"] == "congo=t61rcWkgMzE")
    }

    @Test(arguments: [
        nil,
        #"{"traceparent":"00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01"}"#,  // uppercase
        #"{"traceparent":"00-00000000000000000000000000000000-b7ad6b7169203331-01"}"#,  // all-zero trace id
        #"{"traceparent":"ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"}"#,  // version ff
        #"{"traceparent":"00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-x","tracestate":"a=b"}"#,
    ])
    func withoutAValidOneTheBridgeStartsATrace(meta: String?) async throws {
        let headers = try await headersSeen(meta: meta)
        let value = try #require(headers["traceparent"], "\(headers)")
        #expect(value.wholeMatch(of: try Regex("00-[0-9a-f]{32}-[0-9a-f]{16}-01")) != nil, "\(value)")
        #expect(!value.contains("0af7651916cd43dd8448eb211c80319c"), "an invalid traceparent is ignored")
        #expect(!value.hasPrefix("00-00000000000000000000000000000000"))
        #expect(headers["tracestate"] == nil, "tracestate only travels with the traceparent it belongs to")
    }

    @Test func noTraceparentSendsNone() async throws {
        let parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"
        let headers = try await headersSeen(meta: #"{"traceparent":"\#(parent)"}"#, flags: ["--no-traceparent"])
        #expect(headers["traceparent"] == nil, "\(headers)")
    }
}
