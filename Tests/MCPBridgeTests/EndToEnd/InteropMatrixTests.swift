import Foundation
import Testing

/// Every host era against every server era through the bridge, with default flags: the proof that era translation
/// (`--protocol auto`) lets any host use any server, and the source of the README's "Interoperability matrix".
///
/// Rows are host eras (`EraHost`), columns are real SDK servers (`MatrixServer`), and each cell runs four checks in
/// its own bridge process. A check fails the test unless it is listed in `impossibilities`, which must stay
/// minimal: only what the spec itself rules out, never what the bridge does not do yet. Even there the host must
/// get exactly one answer and the bridge must keep working. The table is compared with the README section
/// (`MCP_BRIDGE_UPDATE_GOLDEN=1` rewrites it instead).
@Suite("Interoperability matrix")
struct InteropMatrixTests {
    static let impossibilities = [
        Impossibility(
            checks: [.elicit, .contextElicit], hosts: [.v2024_11_05], servers: MatrixServer.allCases,
            reason: "A 2024-11-05 host has no elicitation: the capability arrived in 2025-06-18, so the host cannot "
                + "declare it and answers `elicitation/create` with -32601 (a 2026-07-28 server refuses the "
                + "call with -32021, a missing capability)."
        ),
        Impossibility(
            checks: [.elicit, .contextElicit], hosts: [.v2025_06_18, .v2025_11_25, .v2026_07_28],
            servers: [.legacyStateless],
            reason: "A stateless 2025 server has no channel for server-to-client requests: no session and no GET "
                + "stream, so the host's answer to its `elicitation/create` is a new POST that no server instance "
                + "is waiting for (mcp 1.x logs it as an unknown request id), and it speaks no 2026-07-28, so "
                + "there is no `input_required` round trip either. The bridge answers such a call at once with "
                + "-32014 instead of leaving it hanging forever."
        ),
        Impossibility(
            checks: [.contextElicit], hosts: [.v2025_06_18, .v2025_11_25], servers: [.dualStateless, .modernOnly],
            reason: "`ctx.elicit` sends a server-to-client request mid-call, which needs a back-channel: a "
                + "stateless 2025 exchange has none, and 2026-07-28 has none at all (it asks through "
                + "`input_required`, the `elicit` check). The SDK refuses the call (\"this transport context has "
                + "no back-channel\"), exactly as when the host talks to the server directly."
        ),
        Impossibility(
            checks: [.contextElicit], hosts: [.v2026_07_28],
            servers: [.dualStateless, .dualStateful, .modernOnly, .dualReplicas],
            reason: "A 2026-07-28 host talks to a server of its own era statelessly, where `ctx.elicit` has no "
                + "back-channel (see the note before): the same error as without the bridge."
        ),
        Impossibility(
            checks: [.elicit, .contextElicit], hosts: [.v2025_06_18, .v2025_11_25], servers: [.dualReplicas],
            byChance: true,
            reason: "Stateful replicas behind round robin: the host's session lives on one replica. A question asked "
                + "mid-call works only if the call and the host's answer both reach that replica; the first request "
                + "that reaches another (HTTP 404 right after the bridge re-initialized) moves the bridge to "
                + "2026-07-28 for good, with no session to lose, where `elicit` works through `input_required` (the "
                + "replicas share the SDK's request-state key, as its docs require of multi-instance deployments) "
                + "and `ctx.elicit` cannot (note 3). Which comes first is the balancer's choice, so neither is checked "
                + "here; every other check is, and `LoadBalancerTests` checks 30 of 30 calls."
        ),
    ]

    @Test func everyHostEraWorksWithEveryServerEra() async throws {
        let urls = await MatrixServers.urls()
        let cells = HostEra.allCases.flatMap { host in
            MatrixServer.allCases.map { MatrixCell(host: host, server: $0) }
        }
        let results = await withTaskGroup(of: (MatrixCell, CellResult).self) { group in
            for cell in cells {
                group.addTask { (cell, await Self.run(cell, url: urls[cell.server])) }
            }
            var results: [MatrixCell: CellResult] = [:]
            for await (cell, result) in group { results[cell] = result }
            return results
        }
        let report = MatrixReport(results: results, impossibilities: Self.impossibilities)
        print("Interoperability matrix:\n\(report.markdown)")

        for failure in report.failures {
            Issue.record(Comment(rawValue: failure))
        }
        let expected = try ReadmeMatrixSection.expected(actual: report.markdown)
        #expect(report.markdown == expected,
                "README.md's interop-matrix section differs from this run; rerun with MCP_BRIDGE_UPDATE_GOLDEN=1")
    }

    /// One cell: its own bridge (default flags) and host, the handshake for legacy eras, the four checks in order,
    /// then a clean shutdown. The host is created and used inside this one task.
    static func run(_ cell: MatrixCell, url: Result<String, TestFailure>?) async -> CellResult {
        let serverURL: String
        switch url {
        case .success(let value): serverURL = value
        case .failure(let failure): return .failed(failure.description)
        case nil: return .failed("no server for this column")
        }
        let bridge: BridgeProcess
        do {
            bridge = try BridgeProcess([serverURL])
        } catch {
            return .failed("the bridge did not start: \(error)")
        }
        let host = EraHost(era: cell.host, bridge: bridge)
        await host.start()
        var result = CellResult(outcomes: [:])
        for check in InteropCheck.allCases {
            let impossibility = impossibilities.first { $0.covers(cell, check) }
            if impossibility?.byChance == true { continue }
            result.outcomes[check] = await host.run(check, impossible: impossibility != nil)
        }
        result.problems = await host.finish()
        result.stderrTail = host.stderrTail
        return result
    }
}
