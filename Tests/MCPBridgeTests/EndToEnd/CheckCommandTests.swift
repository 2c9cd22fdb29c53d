import Foundation
import Testing

/// `mcp-bridge check URL [--health-url URL]`: a readable report of whether the server is
/// reachable and speaks MCP, with exit status 0 when healthy and 1 when not.
@Suite("check command")
struct CheckCommandTests {
    @Test func aHealthyStatelessServer() async throws {
        let server = try await SharedServers.stateless.value
        let toolCount = try await Self.toolCount(at: server.url(SharedServers.mcpPath))
        let run = try await BridgeProcess.runToEnd([
            "check", server.url(SharedServers.mcpPath), "--health-url", server.url("/ossserver-stateless/health"),
        ])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let report = run.stdout
        #expect(report.contains("/ossserver-stateless/health → 200"), "the health GET: \(report)")
        #expect(Self.line("server", in: report)?.contains("stateless 1.0.0, protocol 2026-07-28") == true,
                "server name and era: \(report)")
        #expect(Self.line("session", in: report)?.contains("stateless") == true, "\(report)")
        #expect(Self.line("tools", in: report)?.contains("\(toolCount) tools") == true, "\(report)")
        #expect(report.contains("healthy") && !report.contains("NOT healthy"))
        #expect(!report.contains("FAILED"))
    }

    @Test func aSessionBasedServer() async throws {
        let server = try await SharedServers.stateful.value
        let run = try await BridgeProcess.runToEnd(["check", server.url(SharedServers.mcpPath), "--protocol", "legacy"])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(Self.line("session", in: run.stdout)?.contains("session-based") == true, "\(run.stdout)")
        #expect(Self.line("server", in: run.stdout)?.contains("stateful") == true, "\(run.stdout)")
    }

    @Test func aLegacyOnlyServerIsCheckedThroughTheHandshake() async throws {
        let server = try await MatrixServers.legacyStateful.value
        let run = try await BridgeProcess.runToEnd(["check", server.url("/mcp")])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(Self.line("era", in: run.stdout)?.contains("2025") == true, "\(run.stdout)")
        #expect(Self.line("session", in: run.stdout)?.contains("session-based") == true, "\(run.stdout)")
        #expect(Self.line("tools", in: run.stdout) != nil, "\(run.stdout)")
    }

    @Test func aModernOnlyServerIsCheckedWithoutAHandshake() async throws {
        let server = try await MatrixServers.modernOnly.value
        let run = try await BridgeProcess.runToEnd(["check", server.url(SharedServers.mcpPath)])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        #expect(Self.line("server", in: run.stdout)?.contains("protocol 2026-07-28") == true, "\(run.stdout)")
        #expect(Self.line("initialize", in: run.stdout) == nil, "no handshake step: \(run.stdout)")
        #expect(Self.line("tools", in: run.stdout) != nil, "\(run.stdout)")
        let forced = try await BridgeProcess.runToEnd(["check", server.url(SharedServers.mcpPath), "--protocol", "legacy"])
        #expect(forced.status == 1, "the handshake era is refused: \(forced.stdout)")
    }

    /// The `relay` line tells which era the bridge would speak for each host era, and why (README "Protocol eras").
    @Test func theRelayLineSaysWhichEraEachHostGets() async throws {
        let stateful = try await SharedServers.stateful.value.url(SharedServers.mcpPath)
        let stateless = try await SharedServers.stateless.value.url(SharedServers.mcpPath)
        let modernOnly = try await MatrixServers.modernOnly.value.url(SharedServers.mcpPath)
        let legacyOnly = try await MatrixServers.legacyStateful.value.url("/mcp")
        let expected = [
            (stateful, "2025 hosts as written too: the server keeps a 2025 session"),
            (stateless, "2025 hosts translated to 2026-07-28: the server keeps no 2025 session"),
            (modernOnly, "2025 hosts translated to 2026-07-28: the server refuses the 2025 handshake"),
            (legacyOnly, "2026-07-28 hosts translated to the handshake era"),
        ]
        for (url, words) in expected {
            let run = try await BridgeProcess.runToEnd(["check", url])
            #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
            #expect(Self.line("relay", in: run.stdout)?.contains(words) == true, "\(url): \(run.stdout)")
        }
        let forced = try await BridgeProcess.runToEnd(["check", stateful, "--protocol", "modern"])
        #expect(Self.line("relay", in: forced.stdout)?.contains("--protocol modern") == true, "\(forced.stdout)")
    }

    /// Stateful replicas behind plain round robin: a session the server hands out is not found by the next request,
    /// so the relay will not keep the host's era; `check` says so instead of promising it, and in the handshake
    /// era, where nothing can make up for it, says what to fix.
    @Test func aSessionTheReplicasCannotKeepIsReported() async throws {
        let cluster = try await ReplicaCluster(mode: "stateful")
        let run = try await BridgeProcess.runToEnd(["check", cluster.endpoint])
        #expect(run.status == 0, "every call works through 2026-07-28: \(run.stdout)\(run.stderr)")
        let relay = Self.line("relay", in: run.stdout)
        #expect(relay?.contains("2025 hosts move to 2026-07-28 at their first request that misses the session") == true,
                "\(run.stdout)")
        #expect(relay?.contains("load balancer without session affinity") == true, "\(run.stdout)")

        let legacy = try await BridgeProcess.runToEnd(["check", cluster.endpoint, "--protocol", "legacy"])
        #expect(legacy.status == 1, "\(legacy.stdout)")
        let session = legacy.stdout.split(separator: "\n").last { $0.contains("session") && $0.contains("FAILED") }
        #expect(session?.contains("make the balancer sticky") == true, "says what to fix: \(legacy.stdout)")
    }

    @Test func aRefusedPortIsReportedAsFailed() async throws {
        let port = try FaultTools.unusedPort()
        let run = try await BridgeProcess.runToEnd(["check", "http://127.0.0.1:\(port)/mcp"])
        #expect(run.status == 1)
        #expect(run.stdout.contains("FAILED"), "\(run.stdout)")
        #expect(run.stdout.contains("NOT healthy"))
    }

    @Test func aFailingHealthURLMakesTheServerUnhealthy() async throws {
        let server = try await SharedServers.stateless.value
        let port = try FaultTools.unusedPort()
        let run = try await BridgeProcess.runToEnd([
            "check", server.url(SharedServers.mcpPath), "--health-url", "http://127.0.0.1:\(port)/health",
        ])
        #expect(run.status == 1, "\(run.stdout)")
        #expect(Self.line("health", in: run.stdout)?.contains("FAILED") == true, "\(run.stdout)")
    }

    /// The report line whose label (first word, indented) is `label`.
    private static func line(_ label: String, in report: String) -> String? {
        report.split(separator: "\n").map(String.init).first {
            $0.trimmingCharacters(in: .whitespaces).split(separator: " ").first.map(String.init) == label
        }
    }

    /// How many tools the server lists, asked through the bridge (the report must agree).
    private static func toolCount(at url: String) async throws -> Int {
        let bridge = try BridgeProcess([url, "--silent"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.toolsList(id: 2))
        let count = BridgeProcess.toolNames(try await bridge.readResponse(id: 2).response).count
        _ = try await bridge.finish()
        return count
    }
}
