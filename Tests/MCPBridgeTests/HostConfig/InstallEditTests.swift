import MCPBridge
import Testing

/// `install`'s edit of each host's real file (`HostFixture` says what each looks like): the new entry where the
/// host reads it, in the file's layout, and every other byte of the file kept.
@Suite("Install edit")
struct InstallEditTests {
    static let entry = BridgeEntry(command: "/usr/local/bin/mcp-bridge",
                                   arguments: ["https://mcp.example.com/mcp", "--header", "Authorization: Bearer ${T}"],
                                   environment: [("T", "tok_live_8c1d")])

    @Test(arguments: HostFixture.allCases)
    func theEntryIsAddedAndEveryOtherByteKept(fixture: HostFixture) throws {
        let old = try fixture.bytes
        let change = try InstallEdit.change(path: fixture.rawValue, original: old, client: fixture.client,
                                            name: "example", entry: Self.entry, force: false)
        let new = change.updated
        #expect(isSubsequence(old, of: new), "only insertions")
        let before = try fixture.document(old)
        let after = try fixture.document(new)
        let key = fixture.client.serversKey
        let added = try #require(after.node(at: [key, "example"]))
        #expect(added.member("command")?.value.string == Self.entry.command)
        #expect(added.member("args")?.value.strings == Self.entry.arguments)
        #expect(added.member("env")?.value.member("T")?.value.string == "tok_live_8c1d")
        #expect(added.member("type")?.value.string == fixture.client.entryType)
        // Every other top-level key and every other server has the same text as before.
        for member in before.root?.members ?? [] where member.key != key {
            let kept = try #require(after.root?.member(member.key))
            #expect(text(kept.value.range, in: new) == text(member.value.range, in: old))
        }
        for server in before.node(at: [key])?.members ?? [] {
            let kept = try #require(after.node(at: [key])?.member(server.key))
            #expect(text(kept.value.range, in: new) == text(server.value.range, in: old))
        }
        #expect(after.node(at: [key])?.members?.last?.key == "example", "appended after the existing servers")
    }

    /// The entry is laid out as its siblings are (VS Code's tabs, Windows' CRLF, two spaces elsewhere).
    @Test func theEntryFollowsTheFilesIndentAndLineEndings() throws {
        let windows = try InstallEdit.change(path: "w", original: HostFixture.claudeDesktopWindows.bytes,
                                             client: .claudeDesktop, name: "example", entry: Self.entry, force: false)
        let windowsText = String(decoding: windows.updated, as: UTF8.self)
        #expect(windowsText.contains("\r\n    \"example\": {\r\n      \"command\": \"/usr/local/bin/mcp-bridge\",\r\n"))
        #expect(!windowsText.replacing("\r\n", with: "").contains("\n"), "no bare LF in a CRLF file")
        let vscode = try InstallEdit.change(path: "v", original: HostFixture.vscode.bytes, client: .vscode,
                                            name: "example", entry: Self.entry, force: false)
        let vscodeText = String(decoding: vscode.updated, as: UTF8.self)
        #expect(vscodeText.contains("""
            \t\t},
            \t\t"example": {
            \t\t\t"type": "stdio",
            \t\t\t"command": "/usr/local/bin/mcp-bridge",
            """))
        // VS Code's file ends its members with trailing commas; the new one does too, and comments stay.
        #expect(vscodeText.contains("\t\t\t}\n\t\t},\n\t},\n}\n"))
        for comment in ["// VS Code user mcp.json", "// remote servers VS Code reaches itself",
                        "/* through mcp-remote, from before VS Code spoke HTTP */", "// no state kept"] {
            #expect(vscodeText.contains(comment))
        }
    }

    /// The exact bytes for the small cases: a missing file, an empty one, one without the servers key, a compact
    /// one-line file, an empty servers object.
    @Test(arguments: [
        (nil, """
            {
              "mcpServers": {
                "x": {
                  "command": "/b",
                  "args": [
                    "https://h/mcp"
                  ]
                }
              }
            }

            """),
        ("", "{\n  \"mcpServers\": {\n    \"x\": {\n      \"command\": \"/b\",\n      \"args\": [\n"
             + "        \"https://h/mcp\"\n      ]\n    }\n  }\n}\n"),
        ("{\n    \"theme\": \"dark\"\n}\n",
         "{\n    \"theme\": \"dark\",\n    \"mcpServers\": {\n        \"x\": {\n            \"command\": \"/b\",\n"
             + "            \"args\": [\n                \"https://h/mcp\"\n            ]\n        }\n    }\n}\n"),
        ("{\"mcpServers\":{\"a\":{\"command\":\"a\"}}}",
         "{\"mcpServers\":{\"a\":{\"command\":\"a\"},\n  \"x\": {\n    \"command\": \"/b\",\n    \"args\": [\n"
             + "      \"https://h/mcp\"\n    ]\n  }\n}}"),
        ("{\n  \"mcpServers\": {}\n}\n",
         "{\n  \"mcpServers\": {\n    \"x\": {\n      \"command\": \"/b\",\n      \"args\": [\n        \"https://h/mcp\"\n"
             + "      ]\n    }\n  }\n}\n"),
    ] as [(String?, String)])
    func smallFilesGetExactlyTheEntry(original: String?, expected: String) throws {
        let entry = BridgeEntry(command: "/b", arguments: ["https://h/mcp"])
        let change = try InstallEdit.change(path: "f", original: original.map { Array($0.utf8) }, client: .cursor,
                                            name: "x", entry: entry, force: false)
        #expect(String(decoding: change.updated, as: UTF8.self) == expected)
    }

    @Test func anExistingNameIsRefusedUnlessForced() throws {
        let old = try HostFixture.claudeDesktop.bytes
        #expect(throws: HostConfigError.entryExists(name: "linear", path: "c")) {
            try InstallEdit.change(path: "c", original: old, client: .claudeDesktop, name: "linear", entry: Self.entry,
                                   force: false)
        }
        let forced = try InstallEdit.change(path: "c", original: old, client: .claudeDesktop, name: "linear",
                                            entry: Self.entry, force: true)
        let after = try HostFixture.claudeDesktop.document(forced.updated)
        #expect(after.node(at: ["mcpServers", "linear", "command"])?.string == Self.entry.command)
        #expect(after.node(at: ["mcpServers"])?.members?.map(\.key) == ["filesystem", "linear", "internal-docs",
                                                                          "sqlite"], "replaced in place")
    }

    /// A file the host itself could not read is refused, with the place an editor shows.
    @Test(arguments: [
        (HostClient.claudeDesktop, "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\"},\n  }\n}\n", 3, 26,
         "trailing comma"),
        (HostClient.cursor, "{\n  // my servers\n  \"mcpServers\": {}\n}\n", 2, 3, "a comment (not allowed in JSON)"),
        (HostClient.windsurf, "{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\"\n", 4, 1, "unexpected end of file"),
        (HostClient.vscode, "{\n\t\"servers\": {\n\t\t\"a\": {\"command\": 'x'}\n\t}\n}\n", 3, 20, "unexpected '\''"),
        (HostClient.claudeCode, "{\"numStartups\": 01}", 1, 17, "leading zero"),
    ] as [(HostClient, String, Int, Int, String)])
    func invalidFilesAreRefusedWithLineAndColumn(client: HostClient, file: String, line: Int, column: Int,
                                                 reason: String) throws {
        do {
            _ = try InstallEdit.change(path: "cfg.json", original: Array(file.utf8), client: client, name: "n",
                                       entry: Self.entry, force: false)
            Issue.record("accepted an invalid file")
        } catch {
            guard case .invalidJSON(_, let foundLine, let foundColumn, let message, _) = error else {
                Issue.record("wrong error \(error)")
                return
            }
            #expect((foundLine, foundColumn) == (line, column), "\(message)")
            #expect(message.contains(reason), "\(message)")
            #expect(error.description.hasPrefix("cfg.json:\(line):\(column): not valid"))
        }
    }

    @Test func aServersValueThatIsNotAnObjectIsRefused() throws {
        #expect(throws: HostConfigError.notAnObject(path: "f", keyPath: ["mcpServers"])) {
            try InstallEdit.change(path: "f", original: Array(#"{"mcpServers": []}"#.utf8), client: .cursor,
                                   name: "n", entry: Self.entry, force: false)
        }
        #expect(throws: HostConfigError.notAnObject(path: "f", keyPath: [])) {
            try InstallEdit.change(path: "f", original: Array("[]".utf8), client: .cursor, name: "n",
                                   entry: Self.entry, force: false)
        }
    }

    /// The dry-run diff shows the new lines and never a secret: `env` values and credential header values.
    @Test func theDiffMasksSecrets() throws {
        let entry = BridgeEntry(command: "/b", arguments: ["https://h/mcp?api_key=k3y_in_url", "--header",
                                                           "X-Api-Key: abcdef0123"],
                                environment: [("TOKEN", "tok_live_8c1d")])
        let change = try InstallEdit.change(path: "f", original: HostFixture.cursor.bytes, client: .cursor,
                                            name: "x", entry: entry, force: false)
        let diff = ChangePreview.diff(change)
        #expect(diff.hasPrefix("--- f\n+++ f\n@@ -17,2 +17,13 @@\n"), "\(diff)")
        #expect(diff.contains("+    \"x\": {\n"))
        #expect(diff.contains("\"X-Api-Key: ***\""))
        #expect(diff.contains("\"TOKEN\": \"***\""))
        for secret in ["k3y_in_url", "abcdef0123", "tok_live_8c1d"] { #expect(!diff.contains(secret)) }
    }
}
