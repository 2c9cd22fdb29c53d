/// The desktop and editor hosts whose config files `install` and `migrate` edit, and the shape of each file.
///
/// Every host keeps a JSON object of servers by name, each entry `{"command", "args", "env"}`; they differ in the
/// key that holds the servers, in whether the file may carry comments, and in whether entries name their type.
package enum HostClient: String, Sendable, CaseIterable {
    case claudeDesktop = "claude-desktop"
    case cursor
    case vscode
    case claudeCode = "claude-code"
    case windsurf

    /// The host's name as its users know it, for messages.
    package var displayName: String {
        switch self {
        case .claudeDesktop: "Claude Desktop"
        case .cursor: "Cursor"
        case .vscode: "VS Code"
        case .claudeCode: "Claude Code"
        case .windsurf: "Windsurf"
        }
    }

    /// The top-level key of the servers object: VS Code's `mcp.json` says `servers`, every other host
    /// `mcpServers`.
    package var serversKey: String {
        self == .vscode ? "servers" : "mcpServers"
    }

    /// VS Code reads its `mcp.json` as JSONC (comments, trailing commas); the others use `JSON.parse`, which
    /// refuses both, so writing them there would break the host.
    package var allowsComments: Bool {
        self == .vscode
    }

    /// The `"type"` an entry carries: VS Code requires `"stdio"`, Claude Code writes it (`claude mcp add`); the
    /// others infer it from `command`.
    package var entryType: String? {
        switch self {
        case .vscode, .claudeCode: "stdio"
        case .claudeDesktop, .cursor, .windsurf: nil
        }
    }

    /// Which scopes the host has a file for: a per-user one always; Cursor, VS Code and Claude Code also read one
    /// in the project (`.cursor/mcp.json`, `.vscode/mcp.json`, `.mcp.json`).
    package var scopes: [ConfigScope] {
        switch self {
        case .cursor, .vscode, .claudeCode: [.user, .project]
        case .claudeDesktop, .windsurf: [.user]
        }
    }

    /// The paths of every servers object in a document of this host: the top-level one, and for Claude Code's
    /// `~/.claude.json` also each project's local-scope `projects.<dir>.mcpServers`.
    package func serverTables(in document: ConfigDocument) -> [[String]] {
        var paths = [[serversKey]]
        if self == .claudeCode, let projects = document.node(at: ["projects"])?.members {
            for project in projects where project.value.member(serversKey) != nil {
                paths.append(["projects", project.key, serversKey])
            }
        }
        return paths.filter { document.node(at: $0)?.members != nil }
    }
}

/// Whose file: the user's (every project) or the one in the current directory that a project shares.
package enum ConfigScope: String, Sendable, CaseIterable {
    case user
    case project
}
