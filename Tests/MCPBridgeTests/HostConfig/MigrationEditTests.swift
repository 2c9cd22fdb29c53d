import MCPBridge
import Testing

/// `migrate` on each host's real file (`HostFixture`): which entries it rewrites, to what, what it reports as not
/// mapped, that nothing else in the file changes, and that a second run changes nothing.
@Suite("Migration edit")
struct MigrationEditTests {
    static let bridge = "/opt/mcp-bridge/bin/mcp-bridge"

    struct Expected: Sendable, CustomStringConvertible {
        var fixture: HostFixture
        /// Entry path (servers table + name) → the args it gets; entries not listed are not mcp-remote entries.
        var migrated: [([String], [String])]
        /// Entries left as they were, each with the items that stopped them.
        var blocked: [([String], [String])]
        /// Items dropped from migrated entries.
        var dropped: [String]
        var description: String { fixture.rawValue }
    }

    static let cases: [Expected] = [
        Expected(fixture: .claudeDesktop, migrated: [
            (["mcpServers", "linear"], ["https://mcp.linear.app/mcp"]),
            (["mcpServers", "internal-docs"], ["https://docs.internal.example.com/mcp", "9876", "--header",
                                               "Authorization: Bearer ${DOCS_TOKEN}", "--transport", "http-only"]),
        ], blocked: [], dropped: ["--body-timeout"]),
        Expected(fixture: .claudeDesktopWindows, migrated: [
            (["mcpServers", "atlassian"], ["https://mcp.atlassian.com/v1/sse"]),
            (["mcpServers", "github"], ["https://api.githubcopilot.com/mcp/", "--header", "Authorization:${AUTH_HEADER}"]),
        ], blocked: [], dropped: []),
        Expected(fixture: .cursor, migrated: [
            (["mcpServers", "notion"], ["https://mcp.notion.com/mcp", "--debug"]),
        ], blocked: [(["mcpServers", "stripe"], ["--header-file"])], dropped: []),
        Expected(fixture: .vscode, migrated: [
            (["servers", "cloudflare"], ["https://observability.mcp.cloudflare.com/mcp", "--header",
                                         "Authorization: Bearer ${CF_TOKEN}"]),
        ], blocked: [], dropped: []),
        Expected(fixture: .claudeCode, migrated: [
            (["projects", "/Users/ana/src/shop", "mcpServers", "shopify"],
             ["https://shop.example.com/api/mcp", "--resource", "https://shop.example.com/", "--ignore-tool",
              "delete_*", "--ignore-tool", "refund_*"]),
        ], blocked: [(["mcpServers", "asana"], ["--client-credentials"])], dropped: []),
        Expected(fixture: .windsurf, migrated: [
            (["mcpServers", "silicon-labs-docs"], ["https://silabs.mcp.kapa.ai"]),
        ], blocked: [], dropped: []),
    ]

    @Test(arguments: cases)
    func mcpRemoteEntriesBecomeBridgeEntries(expected: Expected) throws {
        let old = try expected.fixture.bytes
        let (change, reports) = try MigrationEdit.change(path: "f", original: old, client: expected.fixture.client,
                                                         bridgeCommand: Self.bridge)
        let before = try expected.fixture.document(old)
        let after = try expected.fixture.document(change.updated)
        for (path, args) in expected.migrated {
            let entry = try #require(after.node(at: path))
            #expect(entry.member("command")?.value.string == Self.bridge)
            #expect(entry.member("args")?.value.strings == args, "\(path)")
            // Every other key of the entry (env, type, disabled) keeps its bytes.
            let oldEntry = try #require(before.node(at: path))
            for member in oldEntry.members ?? [] where member.key != "command" && member.key != "args" {
                #expect(text(try #require(entry.member(member.key)).value.range, in: change.updated)
                    == text(member.value.range, in: old))
            }
        }
        for (path, _) in expected.blocked {
            #expect(text(try #require(after.node(at: path)).range, in: change.updated)
                == text(try #require(before.node(at: path)).range, in: old), "left unchanged")
        }
        #expect(reports.filter(\.migrated).count == expected.migrated.count)
        for (path, items) in expected.blocked {
            let report = try #require(reports.first { $0.name == path.last })
            #expect(!report.migrated)
            #expect(report.unmapped.filter(\.blocksMigration).map(\.item) == items)
        }
        #expect(reports.flatMap(\.unmapped).filter { !$0.blocksMigration }.map(\.item) == expected.dropped)
    }

    /// Bytes outside each rewritten entry's `command` and `args` values are the original's, in order.
    @Test(arguments: HostFixture.allCases)
    func onlyCommandAndArgsValuesChange(fixture: HostFixture) throws {
        let old = try fixture.bytes
        let (change, _) = try MigrationEdit.change(path: "f", original: old, client: fixture.client,
                                                   bridgeCommand: Self.bridge)
        var outside: [UInt8] = []
        var cursor = 0
        for splice in change.splices.sorted(by: ConfigSplice.inOrder) {
            let replaced = text(splice.range, in: old)
            #expect(replaced.hasPrefix("\"") || replaced.hasPrefix("["), "only a command string or args array")
            outside += old[cursor..<splice.range.lowerBound]
            cursor = splice.range.upperBound
        }
        outside += old[cursor...]
        var kept: [UInt8] = []
        cursor = 0
        let new = change.updated
        var offset = 0  // where each splice's replacement lands in the new file
        for splice in change.splices.sorted(by: ConfigSplice.inOrder) {
            let start = splice.range.lowerBound + offset
            kept += new[cursor..<start]
            cursor = start + splice.replacement.count
            offset += splice.replacement.count - splice.range.count
        }
        kept += new[cursor...]
        #expect(kept == outside)
    }

    @Test(arguments: HostFixture.allCases)
    func aSecondRunChangesNothing(fixture: HostFixture) throws {
        let (first, _) = try MigrationEdit.change(path: "f", original: fixture.bytes, client: fixture.client,
                                                  bridgeCommand: Self.bridge)
        let (second, reports) = try MigrationEdit.change(path: "f", original: first.updated, client: fixture.client,
                                                         bridgeCommand: Self.bridge)
        #expect(second.isEmpty)
        #expect(second.updated == first.updated)
        #expect(reports.allSatisfy { !$0.migrated }, "only the entries it could not migrate are reported again")
    }

    /// One-line `args` stay on one line; multi-line ones keep one argument per line at the file's indent.
    @Test func argsKeepTheirLayout() throws {
        let (cursor, _) = try MigrationEdit.change(path: "f", original: HostFixture.cursor.bytes, client: .cursor,
                                                   bridgeCommand: "/b")
        #expect(String(decoding: cursor.updated, as: UTF8.self).contains("""
                  "command": "/b",
                  "args": ["https://mcp.notion.com/mcp", "--debug"]
            """))
        let (desktop, _) = try MigrationEdit.change(path: "f", original: HostFixture.claudeDesktop.bytes,
                                                    client: .claudeDesktop, bridgeCommand: "/b")
        #expect(String(decoding: desktop.updated, as: UTF8.self).contains("""
                "linear": {
                  "command": "/b",
                  "args": [
                    "https://mcp.linear.app/mcp"
                  ]
                },
            """))
    }

    /// The diff names the change and masks the env values and header credentials of the entries it shows.
    @Test func theDiffMasksSecrets() throws {
        let (change, _) = try MigrationEdit.change(path: "f", original: HostFixture.windsurf.bytes, client: .windsurf,
                                                   bridgeCommand: "/b")
        let diff = ChangePreview.diff(change)
        #expect(diff.contains("-        \"mcp-remote\",\n"))
        #expect(diff.contains("+      \"command\": \"/b\",\n"))
        let file = Array("""
            {"mcpServers": {"a": {"command": "npx", "args": ["mcp-remote", "https://h/mcp?token=s3cr3tvalue",
              "--header", "Authorization: Bearer abc.def.ghi"]}}}
            """.utf8)
        let (secret, _) = try MigrationEdit.change(path: "f", original: file, client: .cursor, bridgeCommand: "/b")
        let secretDiff = ChangePreview.diff(secret)
        #expect(!secretDiff.contains("s3cr3tvalue") && !secretDiff.contains("abc.def.ghi"), "\(secretDiff)")
        #expect(secretDiff.contains("Authorization: Bearer ***"))
    }
}
