import MCPBridge
import Testing

/// Each host's config file per platform, as the hosts document them.
@Suite("Host config locations")
struct HostConfigLocationTests {
    static let unix = ["HOME": "/home/ana"]
    static let windows = ["USERPROFILE": "C:\\Users\\ana", "APPDATA": "C:\\Users\\ana\\AppData\\Roaming"]

    @Test(arguments: [
        (HostClient.claudeDesktop, HostPlatform.macOS, "/home/ana/Library/Application Support/Claude/claude_desktop_config.json"),
        (.claudeDesktop, .linux, "/home/ana/.config/Claude/claude_desktop_config.json"),
        (.claudeDesktop, .windows, "C:\\Users\\ana\\AppData\\Roaming\\Claude\\claude_desktop_config.json"),
        (.cursor, .macOS, "/home/ana/.cursor/mcp.json"),
        (.cursor, .linux, "/home/ana/.cursor/mcp.json"),
        (.cursor, .windows, "C:\\Users\\ana\\.cursor\\mcp.json"),
        (.vscode, .macOS, "/home/ana/Library/Application Support/Code/User/mcp.json"),
        (.vscode, .linux, "/home/ana/.config/Code/User/mcp.json"),
        (.vscode, .windows, "C:\\Users\\ana\\AppData\\Roaming\\Code\\User\\mcp.json"),
        (.claudeCode, .macOS, "/home/ana/.claude.json"),
        (.claudeCode, .linux, "/home/ana/.claude.json"),
        (.claudeCode, .windows, "C:\\Users\\ana\\.claude.json"),
        (.windsurf, .macOS, "/home/ana/.codeium/windsurf/mcp_config.json"),
        (.windsurf, .linux, "/home/ana/.codeium/windsurf/mcp_config.json"),
        (.windsurf, .windows, "C:\\Users\\ana\\.codeium\\windsurf\\mcp_config.json"),
    ])
    func userFiles(client: HostClient, platform: HostPlatform, path: String) throws {
        let location = HostConfigLocation(platform: platform, environment: platform == .windows ? Self.windows : Self.unix,
                                          projectDirectory: "/src/app")
        #expect(try location.path(of: client) == path)
    }

    @Test func projectFilesAndXDG() throws {
        let location = HostConfigLocation(platform: .linux, environment: ["HOME": "/h", "XDG_CONFIG_HOME": "/xdg"],
                                          projectDirectory: "/src/app")
        #expect(try location.path(of: .vscode) == "/xdg/Code/User/mcp.json")
        #expect(try location.path(of: .claudeDesktop) == "/xdg/Claude/claude_desktop_config.json")
        #expect(try location.path(of: .cursor, scope: .project) == "/src/app/.cursor/mcp.json")
        #expect(try location.path(of: .vscode, scope: .project) == "/src/app/.vscode/mcp.json")
        #expect(try location.path(of: .claudeCode, scope: .project) == "/src/app/.mcp.json")
        #expect(HostClient.claudeDesktop.scopes == [.user] && HostClient.windsurf.scopes == [.user])
    }

    @Test func aMissingHomeIsAnErrorThatNamesTheVariable() {
        let location = HostConfigLocation(platform: .windows, environment: ["USERPROFILE": "C:\\Users\\ana"],
                                          projectDirectory: ".")
        #expect(throws: HostConfigError.noHome(variable: "APPDATA")) { try location.path(of: .claudeDesktop) }
    }
}
