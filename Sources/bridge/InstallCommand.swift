import ArgumentParser
import MCPBridge

/// `mcp-bridge install NAME URL [bridge flags] --client HOST`: adds a server entry that runs this binary to a
/// host's config file, editing only the bytes of that entry.
struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Add a server that runs mcp-bridge to a host's config file.",
        discussion: """
            The entry runs this mcp-bridge binary with URL and the bridge flags given (any flag of the relay). \
            Only the entry's bytes are added: every other server, key, comment and space of the file stays as \
            it was. The previous file is kept beside it as FILE.<date>.bak, and the new one replaces it in one \
            step. Run with --dry-run first to see the change.
            """
    )

    @Argument(help: "The server's name in the host's config.")
    var name: String

    @Argument(help: "The MCP server's Streamable HTTP endpoint URL.")
    var url: String

    @OptionGroup var target: HostConfigOptions

    @Option(name: .customLong("env"), parsing: .singleValue,
            help: ArgumentHelp("Put NAME=VALUE in the entry's env (where a credential belongs, read with "
                + "--header 'Authorization: Bearer ${NAME}'). Repeatable.", valueName: "name=value"))
    var environment: [String] = []

    @Flag(help: "Replace an entry of the same name.")
    var force = false

    @Argument(parsing: .allUnrecognized, help: "Flags for the relay (mcp-bridge relay --help), e.g. --header.")
    var bridgeFlags: [String] = []

    func validate() throws {
        guard target.client != nil else { throw ValidationError("say which host with --client") }
        guard !name.isEmpty else { throw ValidationError("the server name must not be empty") }
        for variable in environment where !variable.contains("=") || variable.hasPrefix("=") {
            throw ValidationError("--env takes NAME=VALUE, not \(variable)")
        }
        do {
            _ = try RelayCommand.parse([url] + bridgeFlags)
        } catch {
            throw ValidationError("not a flag set mcp-bridge accepts: " + RelayCommand.message(for: error))
        }
    }

    func run() throws {
        guard let client = target.client else { return }
        let path = try target.path(for: client)
        let entry = BridgeEntry(command: target.bridgeCommand(), arguments: [url] + bridgeFlags,
                                environment: environment.map { variable in
                                    let equals = variable.firstIndex(of: "=") ?? variable.endIndex
                                    return (String(variable[..<equals]), String(variable[equals...].dropFirst()))
                                })
        adviseOnCredentials(client: client)
        let change = try InstallEdit.change(path: path, original: try ConfigFile.read(path), client: client,
                                            name: name, entry: entry, force: force)
        if target.dryRun {
            print(ChangePreview.diff(change), terminator: "")
            StandardError.write("dry run: \(path) not written")
            return
        }
        let backup = try ConfigFile.write(change.updated, to: path, timestamp: ConfigFile.timestamp())
        StandardError.write("added \"\(name)\" to \(path)" + (backup.map { " (previous file: \($0))" } ?? ""))
        StandardError.write("restart \(client.displayName) to start it")
    }

    /// A credential written into `args` shows in the process list and in host logs that record the command line
    /// (Claude Desktop's mcp.log does); `env` keeps it out of both.
    private func adviseOnCredentials(client: HostClient) {
        var index = 0
        while index < bridgeFlags.count {
            defer { index += 1 }
            guard bridgeFlags[index] == "--header" || bridgeFlags[index].hasPrefix("--header=") else { continue }
            let header = bridgeFlags[index] == "--header"
                ? (index + 1 < bridgeFlags.count ? bridgeFlags[index + 1] : "")
                : String(bridgeFlags[index].dropFirst("--header=".count))
            guard let colon = header.firstIndex(of: ":"), SecretMask.isCredentialHeader(String(header[..<colon])),
                  !header.contains("${") else { continue }
            let headerName = header[..<colon]
            var advice = "note: the \(headerName) value sits in the entry's args, visible in the process list "
                + "and in host logs. Prefer --header '\(headerName): Bearer ${MCP_TOKEN}' --env MCP_TOKEN=<token>"
            if client == .vscode {
                advice += ", or in VS Code an \"inputs\" prompt (\"env\": {\"MCP_TOKEN\": \"${input:mcp-token}\"})"
            }
            StandardError.write(advice + ".")
        }
    }
}
