import Foundation

struct PairKey: Hashable, Sendable {
    let client: DiffClient
    let server: DiffServer
}

/// One (client × server) pair: which observations differed, allowed (by note number) or not.
struct PairOutcome: Sendable {
    var problems: [String] = []
    var notes: Set<Int> = []
    var shutdownSeconds: Double?

    mutating func judge(_ name: String, _ direct: Any?, _ bridged: Any?, _ client: DiffClient, _ server: DiffServer,
                        _ allowed: [AllowedDifference]) {
        guard canonicalJSON(direct) != canonicalJSON(bridged) else { return }
        if let index = allowed.firstIndex(where: { $0.covers(client, server, name) }), allowed[index].holds(direct, bridged) {
            notes.insert(index + 1)
            return
        }
        problems.append("\(name): direct \(canonicalJSON(direct).prefix(600)) | bridged \(canonicalJSON(bridged).prefix(600))")
    }
}

/// The README table: ✓ identical, ✓ⁿ identical except the documented difference n, ✗ a difference.
struct DifferentialReport {
    let allowed: [AllowedDifference]
    var outcomes: [PairKey: PairOutcome] = [:]

    var failures: [String] {
        outcomes.sorted { "\($0.key)" < "\($1.key)" }.compactMap { key, outcome in
            outcome.problems.isEmpty ? nil
                : (["\(key.client.rawValue) × \(key.server.title)"] + outcome.problems).joined(separator: "\n  ")
        }
    }

    var markdown: String {
        var lines = MatrixReport.wrapped(
            "Each client runs one scenario twice against the same server, directly and through `mcp-bridge` on its "
                + "stdio transport, and everything it hands its user is compared: initialize facts, tools and their "
                + "schemas, a call, resources, prompts, progress, logs, elicitation / sampling / roots callbacks, "
                + "ping, a cancelled call and the call after it, 20 concurrent calls, and the bridge's exit when the "
                + "client closes stdin. LangChain's adapter exposes no ping, sampling, roots or cancellation, and "
                + "opens a session (so a bridge) per call: the rest is compared, and every bridge's exit. The time "
                + "server's scenario is its own: its tools, the current time in a fixed zone (only the clock time "
                + "normalized), a fixed conversion, an unknown timezone, an unknown tool, ping. "
                + "✓ identical, ✓ⁿ identical except note n, ✗ differs.")
        lines += [
            "",
            "| client ↓ server → | " + DiffServer.allCases.map(\.title).joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: DiffServer.allCases.count),
        ]
        for client in DiffClient.allCases {
            let cells = DiffServer.allCases.map { server in
                guard let outcome = outcomes[PairKey(client: client, server: server)] else { return "?" }
                guard outcome.problems.isEmpty else { return "✗" }
                return "✓" + outcome.notes.sorted().map(MatrixReport.superscript).joined(separator: "˒")
            }
            lines.append("| \(client.title) | " + cells.joined(separator: " | ") + " |")
        }
        for (index, difference) in allowed.enumerated() {
            lines.append("")
            lines += MatrixReport.wrapped("\(MatrixReport.superscript(index + 1)) `\(difference.observation)`: "
                + difference.reason)
        }
        return lines.joined(separator: "\n")
    }
}
