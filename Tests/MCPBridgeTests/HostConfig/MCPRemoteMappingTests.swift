import MCPBridge
import Testing

/// Which launches are mcp-remote, and how its command line maps onto mcp-bridge's.
@Suite("mcp-remote mapping")
struct MCPRemoteMappingTests {
    @Test(arguments: [
        ("npx", ["-y", "mcp-remote", "https://h/mcp"]),
        ("npx", ["--yes", "mcp-remote@latest", "https://h/mcp"]),
        ("npx", ["mcp-remote@0.1.38", "https://h/mcp"]),
        ("npx", ["-y", "--package=mcp-remote@0.1.29", "mcp-remote", "https://h/mcp"]),
        ("npx.cmd", ["-y", "mcp-remote", "https://h/mcp"]),
        ("C:\\Program Files\\nodejs\\npx.cmd", ["mcp-remote", "https://h/mcp"]),
        ("/opt/homebrew/bin/npx", ["-y", "mcp-remote", "https://h/mcp"]),
        ("cmd", ["/c", "npx", "-y", "mcp-remote", "https://h/mcp"]),
        ("cmd.exe", ["/C", "npx.cmd", "mcp-remote", "https://h/mcp"]),
        ("bunx", ["mcp-remote", "https://h/mcp"]),
        ("bun", ["x", "mcp-remote", "https://h/mcp"]),
        ("pnpm", ["dlx", "mcp-remote", "https://h/mcp"]),
        ("pnpx", ["mcp-remote", "https://h/mcp"]),
        ("yarn", ["dlx", "mcp-remote", "https://h/mcp"]),
        ("node", ["/usr/local/lib/node_modules/mcp-remote/dist/proxy.js", "https://h/mcp"]),
        ("C:\\nodejs\\node.exe", ["C:\\Users\\ana\\AppData\\Roaming\\npm\\node_modules\\mcp-remote\\dist\\proxy.js",
                                  "https://h/mcp"]),
    ])
    func launchesOfMCPRemoteAreRecognised(command: String, args: [String]) {
        #expect(MCPRemoteLaunch.arguments(command: command, args: args) == ["https://h/mcp"])
    }

    @Test(arguments: [
        ("npx", ["-y", "@modelcontextprotocol/server-filesystem", "/tmp"]),
        ("npx", ["-y", "mcp-remote-client", "https://h/mcp"]),
        ("npx", ["-y", "some-mcp-remote", "https://h/mcp"]),
        ("uvx", ["mcp-remote", "https://h/mcp"]),
        ("pnpm", ["exec", "mcp-remote", "https://h/mcp"]),
        ("node", ["server.js"]),
        ("/usr/local/bin/mcp-bridge", ["https://h/mcp"]),
        ("cmd", ["/c", "python", "server.py"]),
    ])
    func otherLaunchesAreNot(command: String, args: [String]) {
        #expect(MCPRemoteLaunch.arguments(command: command, args: args) == nil)
    }

    @Test func everyFlagMCPBridgeSharesIsPassedOnInOrder() {
        let migration = MCPRemoteMigration(mcpRemoteArguments: [
            "--header", "X-Tenant: a", "https://h/mcp", "3334", "--allow-http", "--transport", "sse-first", "--host",
            "127.0.0.1", "--debug", "--silent", "--enable-proxy", "--ignore-tool", "a*", "--ignore-tool", "b*",
            "--auth-timeout", "60", "--static-oauth-client-metadata", "@/m.json", "--static-oauth-client-info",
            "{\"client_id\":\"x\"}", "--resource", "https://r/", "--connect-timeout", "5", "--protocol", "legacy",
            "--device-code", "--client-metadata-url", "https://app.example.com/client.json", "--header",
            "Authorization: Bearer ${T}",
        ])
        #expect(migration.isMigratable)
        #expect(migration.unmapped.isEmpty)
        #expect(migration.bridgeArguments == [
            "https://h/mcp", "3334", "--header", "X-Tenant: a", "--allow-http", "--transport", "sse-first", "--host",
            "127.0.0.1", "--debug", "--silent", "--enable-proxy", "--ignore-tool", "a*", "--ignore-tool", "b*",
            "--auth-timeout", "60", "--static-oauth-client-metadata", "@/m.json", "--static-oauth-client-info",
            "{\"client_id\":\"x\"}", "--resource", "https://r/", "--connect-timeout", "5", "--protocol", "legacy",
            "--device-code", "--client-metadata-url", "https://app.example.com/client.json", "--header",
            "Authorization: Bearer ${T}",
        ])
    }

    @Test func whatIsNotMappedIsListedWithWhy() {
        let dropped = MCPRemoteMigration(mcpRemoteArguments: [
            "https://h/mcp", "--body-timeout", "0", "--keep-alive", "--transport", "http-only", "--transport",
            "sse-only", "--resource", "",
        ], environment: ["MCP_REMOTE_CONFIG_DIR": "/x", "NODE_EXTRA_CA_CERTS": "/ca.pem"])
        #expect(dropped.isMigratable)
        #expect(dropped.bridgeArguments == ["https://h/mcp", "--transport", "http-only", "--disable-resource-parameter"])
        #expect(dropped.unmapped.map(\.item) == ["--body-timeout", "--keep-alive", "--transport",
                                                 "env MCP_REMOTE_CONFIG_DIR", "env NODE_EXTRA_CA_CERTS"])
        #expect(dropped.unmapped[2].reason.contains("first"))
        for (flags, item) in [(["--client-credentials"], "--client-credentials"), (["--frobnicate"], "--frobnicate"),
                              (["--header-file", "/h"], "--header-file")] {
            let blocked = MCPRemoteMigration(mcpRemoteArguments: ["https://h/mcp"] + flags)
            #expect(!blocked.isMigratable)
            #expect(blocked.unmapped.map(\.item) == [item])
            #expect(blocked.unmapped[0].description.hasSuffix("(entry left unchanged)"))
        }
        let noURL = MCPRemoteMigration(mcpRemoteArguments: ["--debug", "https://h/mcp"])
        #expect(!noURL.isMigratable, "mcp-remote itself takes the first argument as the URL")
    }
}
