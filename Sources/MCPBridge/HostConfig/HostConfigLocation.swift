/// The operating systems whose config locations the catalogue knows. The bridge builds for Linux (and is written
/// for macOS); Windows paths are known so a Windows host's file copied elsewhere is still recognised and documented.
package enum HostPlatform: String, Sendable, CaseIterable {
    case macOS, linux, windows

    package static var current: HostPlatform {
        #if os(macOS)
        .macOS
        #elseif os(Windows)
        .windows
        #else
        .linux
        #endif
    }
}

/// Where each host keeps its config file, per platform and scope, as each host documents it (`~` is `$HOME`,
/// `%USERPROFILE%` on Windows; `$XDG_CONFIG_HOME` defaults to `~/.config`):
///
/// - Claude Desktop: macOS `~/Library/Application Support/Claude/claude_desktop_config.json`, Linux
///   `$XDG_CONFIG_HOME/Claude/claude_desktop_config.json` (no official build; the community builds read it),
///   Windows `%APPDATA%\Claude\claude_desktop_config.json`.
/// - Cursor: `~/.cursor/mcp.json` everywhere; project `.cursor/mcp.json`.
/// - VS Code: macOS `~/Library/Application Support/Code/User/mcp.json`, Linux `$XDG_CONFIG_HOME/Code/User/mcp.json`,
///   Windows `%APPDATA%\Code\User\mcp.json`; project `.vscode/mcp.json`.
/// - Claude Code: `~/.claude.json` (user scope at the top, local scope under `projects`); project `.mcp.json`.
/// - Windsurf: `~/.codeium/windsurf/mcp_config.json` everywhere.
package struct HostConfigLocation: Sendable {
    package var platform: HostPlatform
    package var environment: [String: String]
    /// The project directory for project-scoped files (the current directory).
    package var projectDirectory: String

    package init(platform: HostPlatform = .current, environment: [String: String], projectDirectory: String) {
        self.platform = platform
        self.environment = environment
        self.projectDirectory = projectDirectory
    }

    /// The config file of `client` in `scope`; throws when the variable the path starts from is unset.
    package func path(of client: HostClient, scope: ConfigScope = .user) throws(HostConfigError) -> String {
        if scope == .project {
            let relative = switch client {
            case .cursor: [".cursor", "mcp.json"]
            case .vscode: [".vscode", "mcp.json"]
            case .claudeCode, .claudeDesktop, .windsurf: [".mcp.json"]
            }
            return join(projectDirectory, relative)
        }
        switch client {
        case .claudeDesktop: return join(try applicationSupport(), ["Claude", "claude_desktop_config.json"])
        case .vscode: return join(try applicationSupport(), ["Code", "User", "mcp.json"])
        case .cursor: return join(try home(), [".cursor", "mcp.json"])
        case .claudeCode: return join(try home(), [".claude.json"])
        case .windsurf: return join(try home(), [".codeium", "windsurf", "mcp_config.json"])
        }
    }

    private var separator: String { platform == .windows ? "\\" : "/" }

    private func join(_ base: String, _ parts: [String]) -> String {
        ([base.hasSuffix(separator) ? String(base.dropLast()) : base] + parts).joined(separator: separator)
    }

    private func variable(_ name: String) throws(HostConfigError) -> String {
        guard let value = environment[name], !value.isEmpty else { throw .noHome(variable: name) }
        return value
    }

    private func home() throws(HostConfigError) -> String {
        try variable(platform == .windows ? "USERPROFILE" : "HOME")
    }

    /// Where applications keep per-user settings: `~/Library/Application Support`, `$XDG_CONFIG_HOME` (default
    /// `~/.config`), `%APPDATA%`.
    private func applicationSupport() throws(HostConfigError) -> String {
        switch platform {
        case .macOS: return join(try home(), ["Library", "Application Support"])
        case .windows: return try variable("APPDATA")
        case .linux:
            if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg }
            return join(try home(), [".config"])
        }
    }
}
