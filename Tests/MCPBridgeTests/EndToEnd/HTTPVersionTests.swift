import Foundation
import Testing

/// `--http2` multiplexes every request on one HTTP/2 connection, `--http1.1` never speaks h2, and the default takes
/// h2 when a TLS server offers it by ALPN. Real nginx with TLS and HTTP/2 in front of the
/// Python SDK server; its access log records the protocol and connection of every request.
@Suite("HTTP versions")
struct HTTPVersionTests {
    /// A TLS nginx offering h2 in front of the shared stateless server, logging `protocol connection method status`.
    private static func balancer(log: String) async throws -> ServerProcess {
        let server = try await SharedServers.stateless.value
        let (cert, key) = TLSTests.certificate
        return try await ServerProcess(script: "nginx_lb.py", arguments: [
            "--port", "0", "--prefix", "/ossserver-stateless/", "--upstream", "127.0.0.1:\(server.port)",
            "--tls-cert", cert, "--tls-key", key, "--access-log", log,
        ])
    }

    /// `_meta` of a 2026-07-28 host, which needs no handshake: its first requests can all start at once.
    private static let modernMeta = #"{"io.modelcontextprotocol/protocolVersion":"2026-07-28","#
        + #""io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"e2e","#
        + #""version":"1"}}"#

    /// Runs a host with `concurrent` tool calls in flight at once (a 2025 host after its handshake, or a 2026-07-28
    /// host from its first line, before any connection exists); returns nginx's log lines for the POSTs, in fields.
    private func posts(flags: [String], concurrent: Int = 8, modern: Bool = false) async throws -> [[Substring]] {
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("nginx-versions-\(UUID()).log").path
        let balancer = try await Self.balancer(log: log)
        let url = "https://127.0.0.1:\(balancer.port)\(SharedServers.mcpPath)"
        let era = modern ? ["--protocol", "modern"] : []
        let bridge = try BridgeProcess([url, "--cacert", TLSTests.certificate.cert] + era + flags)
        if !modern { _ = try await bridge.handshake() }
        for id in 10..<(10 + concurrent) {
            try bridge.send(Messages.call(id: id, tool: "echo", arguments: #"{"text":"call \#(id)"}"#,
                                          meta: modern ? Self.modernMeta : nil))
        }
        try await Self.expectEchoes(from: bridge, ids: 10..<(10 + concurrent))
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        // nginx logs a request when it completes; give the last ones a moment to reach the file.
        var lines: [[Substring]] = []
        for _ in 0..<50 {
            let text = (try? String(contentsOfFile: log, encoding: .utf8)) ?? ""
            lines = text.split(separator: "\n").map { $0.split(separator: " ") }.filter { $0.count == 4 && $0[2] == "POST" }
            if lines.count >= concurrent + (modern ? 0 : 2) { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(lines.count >= concurrent + (modern ? 0 : 2), "POSTs logged: \(lines)")
        return lines
    }

    /// Eight requests start before any connection exists: they wait for the first one to turn out to multiplex
    /// (libcurl's PIPEWAIT) instead of opening eight (what libcurl does by default).
    /// Reads until every call in `ids` is answered, in any order (they run concurrently), each with its own echo.
    private static func expectEchoes(from bridge: BridgeProcess, ids: Range<Int>) async throws {
        var answered: Set<Int> = []
        while answered.count < ids.count {
            let message = try await bridge.readMessage()
            guard let id = message["id"] as? Int, message["method"] == nil else { continue }
            #expect(message.toolText == "call \(id)", "\(message)")
            answered.insert(id)
        }
    }

    @Test func http2MultiplexesEveryRequestOnOneConnection() async throws {
        let lines = try await posts(flags: ["--http2"], modern: true)
        #expect(lines.allSatisfy { $0[0] == "HTTP/2.0" }, "\(lines)")
        #expect(Set(lines.map { $0[1] }).count == 1, "every request a stream of one connection: \(lines)")
    }

    @Test func http1_1NeverSpeaksHTTP2() async throws {
        let lines = try await posts(flags: ["--http1.1"])
        #expect(lines.allSatisfy { $0[0] == "HTTP/1.1" }, "\(lines)")
        // One keep-alive connection per request in flight: the concurrent calls needed several.
        #expect(Set(lines.map { $0[1] }).count > 1, "\(lines)")
    }

    @Test func theDefaultTakesHTTP2WhenTLSOffersIt() async throws {
        let lines = try await posts(flags: [])
        #expect(lines.allSatisfy { $0[0] == "HTTP/2.0" }, "\(lines)")
    }
}

extension HTTPVersionTests {
    /// Over plain http `--http2` only offers an upgrade; uvicorn (HTTP/1.1 only) declines it and every call works.
    @Test func http2OverPlainHTTPStillWorksWithAnHTTP1Server() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath), "--http2"])
        _ = try await bridge.handshake()
        for id in 10..<14 {
            try bridge.send(Messages.call(id: id, tool: "echo", arguments: #"{"text":"call \#(id)"}"#))
        }
        try await Self.expectEchoes(from: bridge, ids: 10..<14)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }
}
