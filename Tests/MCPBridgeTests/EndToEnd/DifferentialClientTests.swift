import Foundation
import Testing

/// Real client libraries nobody here wrote, each run twice against the same real server: once directly over
/// Streamable HTTP, once through the built bridge spawned on the client's own stdio transport, as a desktop host
/// does. Everything the client hands its user is compared (`Tests/Clients/differential_client.py`: the initialize
/// facts, tools with their schemas, a call, resources, prompts, progress, logs, elicitation / sampling / roots
/// callbacks, ping, a cancelled call and the call after it, 20 concurrent calls), and the bridge must exit on its
/// own when the client closes its stdin (exit 0, no kill).
///
/// The clients are the SDK's 1.x and 2.x, fastmcp's, and LangChain's `MultiServerMCPClient`
/// (`Tests/Clients/langchain_client.py`: only what the adapter exposes, with a session, so a bridge, per call). The
/// servers are the SDK's and fastmcp's test servers, and the reference `mcp-server-time` behind `mcp-proxy`, which
/// gets a scenario of its own (`Tests/Clients/time_scenario.py`: tools, the current time with only the clock time
/// normalized, a fixed conversion, an unknown timezone, an unknown tool, ping).
///
/// A difference fails the test unless `allowed` names it, with why it is not the bridge's fault or is the bridge
/// adding what the pairing lacks. The table is README's "Real clients through the bridge" section.
@Suite("Real clients: direct and through the bridge")
struct DifferentialClientTests {
    static let allowed: [AllowedDifference] = [
        AllowedDifference(
            observation: "ask_name", clients: [.sdk1, .sdk2Legacy, .langchain], servers: [.dualStateless],
            reason: "A 2025 client of a stateless dual-era server cannot be asked mid-call (no session carries its "
                + "answer back: \"no back-channel\"); through the bridge the call is translated to 2026-07-28, "
                + "where the server asks through `input_required`, and the question reaches the client.",
            holds: { direct, bridged in
                canonicalJSON(direct).contains("back-channel") && !canonicalJSON(bridged).contains("error")
                    && canonicalJSON(bridged).contains("hello Ada") && canonicalJSON(bridged).contains("elicitation")
            }),
        AllowedDifference(
            observation: "init", clients: [.sdk2, .fastmcp], servers: [.legacySessions, .time],
            reason: "A 2026-07-28 client in auto mode falls back to 2025-11-25 with a 2025-only server, but the "
                + "bridge speaks 2026-07-28 to it and translates: the negotiated version differs, the server's "
                + "capabilities, serverInfo and instructions do not.",
            holds: { direct, bridged in
                guard var direct = direct as? [String: Any], var bridged = bridged as? [String: Any] else { return false }
                let version = bridged["protocolVersion"] as? String
                direct["protocolVersion"] = nil
                bridged["protocolVersion"] = nil
                return version == "2026-07-28" && canonicalJSON(direct) == canonicalJSON(bridged)
            }),
        AllowedDifference(
            observation: "ping", clients: [.sdk2], servers: [.legacySessions, .time],
            reason: "The same version difference: a 2026-07-28 `EmptyResult` carries `resultType`, which the bridge "
                + "adds to the 2025 server's `{}` (that version's schema requires it of every result).",
            holds: { direct, bridged in
                canonicalJSON(direct) == "{}" && canonicalJSON(bridged) == #"{"resultType":"complete"}"#
            }),
        AllowedDifference(
            observation: "exit", clients: [.sdk1], servers: DiffServer.testServers,
            reason: "mcp 1.x cancels a call's task without sending `notifications/cancelled`, so the bridge still "
                + "has the cancelled `slow` call in flight when the client closes stdin and drains it (README "
                + "\"Ending\") until the client's SIGTERM 2 s later, which ends the drain at once: exit 0, the "
                + "session DELETEd, nothing written to a client that stopped reading.",
            holds: { _, bridged in (bridged as? String) == "0 after SIGTERM" }),
    ]

    @Test func everyClientSeesTheSameThroughTheBridge() async throws {
        let pairs = DiffClient.allCases.flatMap { client in DiffServer.allCases.map { (client, $0) } }
        var report = DifferentialReport(allowed: Self.allowed)
        // Three pairs at a time: each starts a Python interpreter (1-2.5 s of imports) for both its runs, on a 2-core
        // machine; `make test` runs this suite on its own, after the rest.
        try await withThrowingTaskGroup(of: (DiffClient, DiffServer, PairOutcome).self) { group in
            var pending = pairs[...]
            func startNext() {
                guard let (client, server) = pending.popFirst() else { return }
                group.addTask { (client, server, await Self.compare(client, server)) }
            }
            for _ in 0..<3 { startNext() }
            while let (client, server, outcome) = try await group.next() {
                report.outcomes[PairKey(client: client, server: server)] = outcome
                startNext()
            }
        }
        print("Real clients through the bridge:\n\(report.markdown)")
        for failure in report.failures { Issue.record(Comment(rawValue: failure)) }
        let expected = try ReadmeMatrixSection.expected(actual: report.markdown, section: "differential-clients")
        #expect(report.markdown == expected,
                "README.md's differential-clients section differs from this run; rerun with MCP_BRIDGE_UPDATE_GOLDEN=1")
    }

    static func compare(_ client: DiffClient, _ server: DiffServer) async -> PairOutcome {
        do {
            let url = try await server.url()
            let (direct, bridged) = try await ClientRun.run(client, url: url, scenario: server.scenario)
            var outcome = PairOutcome()
            var observed = Set(direct.observations.keys).union(bridged.observations.keys)
            observed.remove("shutdown")  // the time to close a transport, reported, not compared
            for name in observed.sorted() {
                outcome.judge(name, direct.observations[name], bridged.observations[name], client, server, allowed)
            }
            outcome.judge("exit", "0", bridged.exit, client, server, allowed)
            outcome.shutdownSeconds = (bridged.observations["shutdown"] as? [String: Any])?["seconds"] as? Double
            if !outcome.problems.isEmpty { outcome.problems.append("bridged stderr: \(bridged.stderr.suffix(1500))") }
            return outcome
        } catch {
            return PairOutcome(problems: ["\(error)"])
        }
    }
}
