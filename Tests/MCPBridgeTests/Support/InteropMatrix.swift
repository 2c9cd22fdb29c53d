import Foundation

/// One cell of the interoperability matrix: a host era talking through the bridge to one server.
struct MatrixCell: Hashable, Sendable {
    let host: HostEra
    let server: MatrixServer

    var name: String { "\(host.rawValue) host × \(server.title)" }
}

/// A check that cannot work in some cells whatever the bridge does, and why (from the spec, not from the bridge).
/// `byChance`: the outcome is not the bridge's to decide (a balancer picks the replica), so the check is not run
/// there; the cell still checks everything else.
struct Impossibility: Sendable {
    let checks: [InteropCheck]
    let hosts: [HostEra]
    let servers: [MatrixServer]
    var byChance = false
    let reason: String

    func covers(_ cell: MatrixCell, _ check: InteropCheck) -> Bool {
        checks.contains(check) && hosts.contains(cell.host) && servers.contains(cell.server)
    }
}

/// What one cell produced: each check's outcome, the guarantees the bridge broke, and its stderr tail for context.
struct CellResult: Sendable {
    var outcomes: [InteropCheck: CheckOutcome]
    var problems: [String] = []
    var stderrTail = ""

    /// Every check failed for the same reason (the server or the bridge never started).
    static func failed(_ reason: String) -> CellResult {
        CellResult(outcomes: Dictionary(uniqueKeysWithValues: InteropCheck.allCases.map { ($0, .fail(reason)) }))
    }
}

/// The matrix's results rendered as the README table, and judged.
struct MatrixReport {
    let results: [MatrixCell: CellResult]
    let impossibilities: [Impossibility]

    /// The footnote number of the impossibility covering `check` in `cell`, if any (1-based, in list order).
    func footnote(_ cell: MatrixCell, _ check: InteropCheck) -> Int? {
        impossibilities.firstIndex { $0.covers(cell, check) }.map { $0 + 1 }
    }

    /// The generated README section: legend, table (rows = host eras, columns = servers), numbered notes.
    var markdown: String {
        var lines = Self.wrapped(
            "✓ works, ✗ fails, — cannot work in that pairing (see the note; the host still gets exactly one "
                + "answer and the bridge keeps working), · not the bridge's to decide (see the note), ⚠ the bridge broke a "
                + "guarantee (a second answer, a bad line, a failed exit). Checks: `list` = `tools/list`, `call` = "
                + "`tools/call echo`, `progress` = `notifications/progress` before the result, `elicit` = a form "
                + "elicitation answered by the host, asked through the SDK's era-neutral resolver (`input_required` in "
                + "2026-07-28, `elicitation/create` mid-call in 2025), `ctx.elicit` = the same asked through "
                + "`await ctx.elicit(...)`, the API most servers use, which only a server-to-client request mid-call "
                + "can carry.")
        lines += [
            "",
            "| host ↓ server → | " + MatrixServer.allCases.map(\.title).joined(separator: " | ") + " |",
            "|---|" + String(repeating: "---|", count: MatrixServer.allCases.count),
        ]
        for host in HostEra.allCases {
            let cells = MatrixServer.allCases.map { cellText(MatrixCell(host: host, server: $0)) }
            lines.append("| \(host.rawValue) | " + cells.joined(separator: " | ") + " |")
        }
        for (index, impossibility) in impossibilities.enumerated() {
            lines += [""] + Self.wrapped("\(Self.superscript(index + 1)) \(impossibility.reason)")  // a paragraph each
        }
        return lines.joined(separator: "\n")
    }

    private func cellText(_ cell: MatrixCell) -> String {
        guard let result = results[cell] else { return "not run" }
        var parts: [String] = []
        for check in InteropCheck.allCases {
            let passed = result.outcomes[check] == .pass
            if let note = footnote(cell, check), impossibilities[note - 1].byChance {
                parts.append("\(check.rawValue) ·\(Self.superscript(note))")
            } else if let note = footnote(cell, check) {
                parts.append("\(check.rawValue) \(passed ? "—" : "✗")\(Self.superscript(note))")
            } else {
                parts.append("\(check.rawValue) \(passed ? "✓" : "✗")")
            }
        }
        if !result.problems.isEmpty { parts.append("⚠") }
        return parts.joined(separator: " ")
    }

    /// One paragraph per failing cell: which checks failed and why, the broken guarantees, the bridge's stderr.
    var failures: [String] {
        var failures: [String] = []
        for host in HostEra.allCases {
            for server in MatrixServer.allCases {
                let cell = MatrixCell(host: host, server: server)
                guard let result = results[cell] else { continue }
                var reasons: [String] = []
                for check in InteropCheck.allCases {
                    guard let failure = result.outcomes[check]?.failure else { continue }
                    let label = footnote(cell, check) == nil ? check.rawValue : "\(check.rawValue) (impossible case)"
                    reasons.append("  \(label) ✗ \(failure)")
                }
                reasons += result.problems.map { "  ⚠ \($0)" }
                guard !reasons.isEmpty else { continue }
                if !result.stderrTail.isEmpty { reasons.append("  bridge stderr: \(result.stderrTail)") }
                failures.append(([cell.name] + reasons).joined(separator: "\n"))
            }
        }
        return failures
    }

    /// Prose wrapped at the README's line width (tables cannot wrap; paragraphs can).
    static func wrapped(_ text: String, width: Int = 118) -> [String] {
        var lines: [String] = []
        var line = ""
        for word in text.split(separator: " ") {
            if !line.isEmpty, line.count + 1 + word.count > width {
                lines.append(line)
                line = ""
            }
            line += line.isEmpty ? String(word) : " \(word)"
        }
        if !line.isEmpty { lines.append(line) }
        return lines
    }

    static func superscript(_ number: Int) -> String {
        let digits = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
        return String(number).compactMap { Int(String($0)).map { digits[$0] } }.joined()
    }
}

/// A generated README section, between `<!-- NAME:begin -->` and `<!-- NAME:end -->` (`interop-matrix`,
/// `differential-clients`).
enum ReadmeMatrixSection {
    static var readme: URL { TestEnvironment.repository.appendingPathComponent("README.md") }

    /// The section as committed, or (with `MCP_BRIDGE_UPDATE_GOLDEN=1`) `actual` after writing it into the README.
    static func expected(actual: String, section: String = "interop-matrix") throws -> String {
        let begin = "<!-- \(section):begin -->"
        let end = "<!-- \(section):end -->"
        let text = try String(contentsOf: readme, encoding: .utf8)
        guard let start = text.range(of: begin), let stop = text.range(of: end, range: start.upperBound..<text.endIndex)
        else { throw TestFailure("README.md has no \(begin) … \(end) section") }
        if ProcessInfo.processInfo.environment[GoldenFile.updateVariable] == "1" {
            let updated = text.replacingCharacters(in: start.upperBound..<stop.lowerBound, with: "\n\(actual)\n")
            try updated.write(to: readme, atomically: true, encoding: .utf8)
            return actual
        }
        return String(text[start.upperBound..<stop.lowerBound]).trimmingCharacters(in: .newlines)
    }
}
