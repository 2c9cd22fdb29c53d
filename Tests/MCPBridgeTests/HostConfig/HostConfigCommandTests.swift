import Foundation
import MCPBridge
import Testing

/// `mcp-bridge install` and `migrate` as a user runs them: the built binary, HOME pointed at a temporary folder
/// holding copies of the hosts' real files (`HostFixture`), so each host's usual path is the one written.
@Suite("install and migrate commands")
struct HostConfigCommandTests {
    private func run(_ arguments: [String], home: String) async throws -> BridgeRunResult {
        try await BridgeProcess.runToEnd(arguments, environment: ["HOME": home, "XDG_CONFIG_HOME": "", "COLUMNS": "80"])
    }

    @Test func installDryRunThenInstallThenRefuseTheSameName() async throws {
        let home = try TemporaryDirectory()
        let file = ".config/Claude/claude_desktop_config.json"
        let arguments = ["install", "docs", "https://docs.example.com/mcp", "--header", "Authorization: Bearer s3cr3t-t0ken",
                         "--retries", "2", "--client", "claude-desktop"]
        let dry = try await run(arguments + ["--dry-run"], home: home.path)
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(dry.stdout.hasPrefix("--- /dev/null\n+++ \(home.path)/\(file)\n@@ -0,0 +1,14 @@\n"), "\(dry.stdout)")
        #expect(dry.stdout.contains("\"Authorization: Bearer ***\""))
        #expect(!dry.stdout.contains("s3cr3t-t0ken") && !dry.stderr.contains("s3cr3t-t0ken"))
        #expect(dry.stderr.contains("--env MCP_TOKEN="), "advises env for the credential")
        #expect(try home.files().isEmpty, "a dry run writes nothing, not even the folder")

        let real = try await run(arguments, home: home.path)
        #expect(real.status == 0, "\(real.stderr)")
        let written = try home.read(file)
        let document = try ConfigDocument(bytes: written, allowsComments: false, path: file)
        let bridge = URL(fileURLWithPath: TestEnvironment.bridgeBinary).resolvingSymlinksInPath().path
        #expect(document.node(at: ["mcpServers", "docs", "command"])?.string == bridge)
        #expect(document.node(at: ["mcpServers", "docs", "args"])?.strings
            == ["https://docs.example.com/mcp", "--header", "Authorization: Bearer s3cr3t-t0ken", "--retries", "2"])

        let again = try await run(arguments, home: home.path)
        #expect(again.status != 0)
        #expect(again.stderr.contains("already has a server named \"docs\"") && again.stderr.contains("--force"))
        #expect(try home.read(file) == written)
    }

    @Test func installRefusesFlagsTheRelayDoesNotTakeAndFilesThatAreNotJSON() async throws {
        let home = try TemporaryDirectory()
        let bad = try await run(["install", "x", "https://h.example.com/mcp", "--no-such-flag", "--client", "cursor"],
                                home: home.path)
        #expect(bad.status == 64, "\(bad.stderr)")
        #expect(try home.files().isEmpty)
        let broken = Array("{\n  \"mcpServers\": {\n    \"a\": {\"command\": \"x\"},\n  }\n}\n".utf8)
        _ = try home.write(broken, to: ".cursor/mcp.json")
        let refused = try await run(["install", "x", "https://h.example.com/mcp", "--client", "cursor"], home: home.path)
        #expect(refused.status == 1)
        #expect(refused.stderr.contains(".cursor/mcp.json:3:26: not valid JSON: trailing comma"), "\(refused.stderr)")
        #expect(try home.read(".cursor/mcp.json") == broken)
        #expect(try home.files() == [".cursor"])
    }

    /// The documented workflow: `migrate --dry-run` over every host file found, then `migrate`, then nothing left.
    @Test func migrateFindsEveryHostFileDryRunFirst() async throws {
        let home = try TemporaryDirectory()
        let files = [(HostFixture.claudeCode, ".claude.json"), (.windsurf, ".codeium/windsurf/mcp_config.json"),
                     (.vscode, ".config/Code/User/mcp.json")]
        for (fixture, path) in files { _ = try home.write(try fixture.bytes, to: path) }

        let dry = try await run(["migrate", "--dry-run"], home: home.path)
        #expect(dry.status == 0, "\(dry.stderr)")
        for (_, path) in files { #expect(dry.stdout.contains("+++ \(home.path)/\(path)\n")) }
        #expect(dry.stderr.contains("asana: left unchanged"))
        #expect(dry.stderr.contains("not mapped: --client-credentials"))
        #expect(dry.stderr.contains("projects./Users/ana/src/shop.shopify: would migrate"))
        for (fixture, path) in files { #expect(try home.read(path) == fixture.bytes) }

        let real = try await run(["migrate"], home: home.path)
        #expect(real.status == 0, "\(real.stderr)")
        for (fixture, path) in files {
            #expect(try home.read(path) != fixture.bytes)
            let backups = try FileManager.default.contentsOfDirectory(atPath: home.path + "/" + dirname(path))
                .filter { $0.hasPrefix(basename(path) + ".") && $0.hasSuffix(".bak") }
            #expect(backups.count == 1, "\(path)")
            #expect(try home.read(dirname(path) + "/" + backups[0]) == fixture.bytes)
        }
        let migrated = try files.map { try home.read($0.1) }

        let second = try await run(["migrate"], home: home.path)
        #expect(second.status == 0)
        #expect(second.stdout.isEmpty)
        #expect(!second.stderr.contains("migrated"))
        #expect(try files.map { try home.read($0.1) } == migrated, "a second run changes nothing")
    }

    /// What a host launches after `migrate` works: the rewritten entry, run as the host runs it, answers
    /// `initialize` from a real server (the Python SDK's, on loopback), its flags accepted.
    @Test func aMigratedEntryRelays() async throws {
        let server = try await SharedServers.stateless.value
        let home = try TemporaryDirectory()
        let file = """
            {
              "mcpServers": {
                "oss": {
                  "command": "npx",
                  "args": ["-y", "mcp-remote", "\(server.url(SharedServers.mcpPath))", "--transport", "http-only",
                           "--header", "X-Tenant: ${TENANT}", "--body-timeout", "0"],
                  "env": {"TENANT": "acme"}
                }
              }
            }

            """
        _ = try home.write(Array(file.utf8), to: ".cursor/mcp.json")
        let run = try await run(["migrate", "--client", "cursor"], home: home.path)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("not mapped: --body-timeout"))
        let document = try ConfigDocument(bytes: try home.read(".cursor/mcp.json"), allowsComments: false, path: "f")
        let entry = try #require(document.node(at: ["mcpServers", "oss"]))
        let bridge = URL(fileURLWithPath: TestEnvironment.bridgeBinary).resolvingSymlinksInPath().path
        #expect(entry.member("command")?.value.string == bridge)
        let args = try #require(entry.member("args")?.value.strings)
        #expect(args == [server.url(SharedServers.mcpPath), "--transport", "http-only", "--header", "X-Tenant: ${TENANT}"])
        let relay = try BridgeProcess(args, environment: ["TENANT": "acme"])
        try relay.send(Messages.initialize())
        let answer = try await relay.readResponse(id: 1, timeout: .seconds(30)).response
        #expect((answer["result"] as? [String: Any])?["serverInfo"] != nil, "\(answer)")
        try relay.closeStdin()
        #expect(try await relay.waitForExit(timeout: .seconds(30)) == 0)
    }

    private func dirname(_ path: String) -> String { (path as NSString).deletingLastPathComponent }
    private func basename(_ path: String) -> String { (path as NSString).lastPathComponent }
}
