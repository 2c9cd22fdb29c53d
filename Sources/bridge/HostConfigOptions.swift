import ArgumentParser
import BridgePlatform
import MCPBridge

extension HostClient: ExpressibleByArgument {}
extension ConfigScope: ExpressibleByArgument {}

/// What `install` and `migrate` share: which host file, which binary the entry runs, and whether to write.
struct HostConfigOptions: ParsableArguments {
    @Option(help: ArgumentHelp("The host whose config file to edit.", valueName: "host"))
    var client: HostClient?

    @Option(help: ArgumentHelp("Edit this file instead of the host's usual one (needs --client for its format).",
                               valueName: "file"))
    var config: String?

    @Option(help: ArgumentHelp("user (the host's file for every project) or project (the one in the current "
        + "directory: .cursor/mcp.json, .vscode/mcp.json, .mcp.json).", valueName: "scope"))
    var scope: ConfigScope = .user

    @Option(help: ArgumentHelp("The mcp-bridge binary the entry runs (default: this one).", valueName: "path"))
    var command: String?

    @Flag(help: "Print the change as a diff (secrets masked) and write nothing.")
    var dryRun = false

    func validate() throws {
        if config != nil, client == nil { throw ValidationError("--config needs --client to know the file's format") }
        if let client, !client.scopes.contains(scope) {
            throw ValidationError("\(client.displayName) has no \(scope.rawValue)-scoped config file")
        }
    }

    /// The config file to edit for `client`.
    func path(for client: HostClient) throws -> String {
        if let config { return config }
        return try location().path(of: client, scope: scope)
    }

    func location() -> HostConfigLocation {
        HostConfigLocation(environment: ProcessEnvironment.variables(), projectDirectory: Self.currentDirectory())
    }

    /// The absolute path of the binary the entry should run: `--command`, else this process's executable.
    func bridgeCommand() -> String {
        if let command { return command }
        if let path = ExecutablePath.current() { return path }
        guard let resolved = realpath(CommandLine.arguments[0], nil) else { return CommandLine.arguments[0] }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    static func currentDirectory() -> String {
        guard let directory = getcwd(nil, 0) else { return "." }
        defer { free(directory) }
        return String(cString: directory)
    }
}

/// stderr for the config commands' notes, so stdout holds only the diff a dry run prints.
enum StandardError {
    static func write(_ text: String) {
        let bytes = Array((text + "\n").utf8)
        _ = bytes.withUnsafeBytes { FileDescriptorIO.write(STDERR_FILENO, $0.baseAddress, $0.count) }
    }
}
