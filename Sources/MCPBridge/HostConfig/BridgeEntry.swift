/// The server entry `install` writes: the bridge's own binary, the server URL and the bridge flags, in the shape
/// the host expects (with `"type": "stdio"` for VS Code and Claude Code).
package struct BridgeEntry: Sendable {
    /// The absolute path of the mcp-bridge binary the host will launch.
    package var command: String
    /// The URL first, then the bridge flags exactly as given.
    package var arguments: [String]
    /// `env` for the entry, in order (where a credential belongs instead of `args`).
    package var environment: [(String, String)]

    package init(command: String, arguments: [String], environment: [(String, String)] = []) {
        self.command = command
        self.arguments = arguments
        self.environment = environment
    }

    package func value(for client: HostClient) -> ConfigValue {
        var members: [(String, ConfigValue)] = []
        if let type = client.entryType { members.append(("type", .string(type))) }
        members.append(("command", .string(command)))
        members.append(("args", .array(arguments.map(ConfigValue.string))))
        if !environment.isEmpty {
            members.append(("env", .object(environment.map { ($0.0, ConfigValue.string($0.1)) })))
        }
        return .object(members)
    }
}
