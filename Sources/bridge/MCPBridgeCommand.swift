import ArgumentParser
import MCPBridge

/// `mcp-bridge URL [flags]` relays; `mcp-bridge check URL` diagnoses; `login`, `logout` and `auth list` manage OAuth
/// sign-ins. Relaying is the default subcommand so the
/// binary drops into a host's config exactly where `npx -y mcp-remote URL` stood.
struct MCPBridgeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp-bridge",
        abstract: "Connects a stdio MCP host to a remote Streamable HTTP MCP server.",
        discussion: """
            Reads newline-delimited JSON-RPC on stdin, POSTs each message to the server, and writes every \
            server message to stdout, one per line. Logs go to stderr.
            """,
        version: BridgeVersion.current,
        subcommands: [RelayCommand.self, CheckCommand.self, LoginCommand.self, LogoutCommand.self, AuthCommand.self,
                      InstallCommand.self, MigrateCommand.self],
        defaultSubcommand: RelayCommand.self
    )

}
