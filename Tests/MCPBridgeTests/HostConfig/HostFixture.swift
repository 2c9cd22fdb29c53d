import Foundation
import MCPBridge

/// Copies of real host config files (`Fixtures/`), each as its host writes it, and where that host keeps it:
///
/// - `claude_desktop_config.json`: Claude Desktop on macOS, `~/Library/Application Support/Claude/`, written by the
///   app with `JSON.stringify(…, null, 2)`: `mcpServers` beside the app's own keys (`globalShortcut`, `preferences`).
/// - `claude_desktop_config.windows.json`: Claude Desktop on Windows, `%APPDATA%\Claude\`, CRLF line endings and
///   the Windows launches of mcp-remote (`cmd /c npx`, an absolute `npx.cmd`).
/// - `cursor-mcp.json`: Cursor, `~/.cursor/mcp.json`: one-line `args`, a `url` (remote) entry, bunx and pnpm dlx.
/// - `vscode-mcp.json`: VS Code, `~/.config/Code/User/mcp.json` (macOS `~/Library/Application Support/Code/User/`):
///   JSONC as VS Code formats it (tabs), comments, trailing commas, `inputs`, `servers` with `"type"`.
/// - `claude.json`: Claude Code, `~/.claude.json`: the CLI's state (`numStartups`, `tipsHistory`, `userID`), user
///   scope `mcpServers`, and a `projects` map whose entries hold the local-scope servers.
/// - `windsurf-mcp_config.json`: Windsurf, `~/.codeium/windsurf/mcp_config.json`: `serverUrl` and `disabled` keys.
enum HostFixture: String, CaseIterable {
    case claudeDesktop = "claude_desktop_config.json"
    case claudeDesktopWindows = "claude_desktop_config.windows.json"
    case cursor = "cursor-mcp.json"
    case vscode = "vscode-mcp.json"
    case claudeCode = "claude.json"
    case windsurf = "windsurf-mcp_config.json"

    var client: HostClient {
        switch self {
        case .claudeDesktop, .claudeDesktopWindows: .claudeDesktop
        case .cursor: .cursor
        case .vscode: .vscode
        case .claudeCode: .claudeCode
        case .windsurf: .windsurf
        }
    }

    var bytes: [UInt8] {
        get throws {
            let url = TestEnvironment.repository.appendingPathComponent("Tests/MCPBridgeTests/HostConfig/Fixtures")
                .appendingPathComponent(rawValue)
            return [UInt8](try Data(contentsOf: url))
        }
    }

    func document(_ bytes: [UInt8]) throws -> ConfigDocument {
        try ConfigDocument(bytes: bytes, allowsComments: client.allowsComments, path: rawValue)
    }
}

/// A fresh directory under the system temporary folder, removed when the test is done with it.
struct TemporaryDirectory: ~Copyable {
    let path: String

    init() throws {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("hostconfig-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        path = url.path
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func write(_ bytes: [UInt8], to name: String) throws -> String {
        let file = path + "/" + name
        try FileManager.default.createDirectory(atPath: (file as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: file))
        return file
    }

    func read(_ name: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: URL(fileURLWithPath: path + "/" + name)))
    }

    func files() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: path).sorted()
    }
}

/// Whether every byte of `old` appears in `new` in order: an edit made only of insertions.
func isSubsequence(_ old: [UInt8], of new: [UInt8]) -> Bool {
    var index = new.startIndex
    for byte in old {
        guard let found = new[index...].firstIndex(of: byte) else { return false }
        index = found + 1
    }
    return true
}

/// Text of `range` in `bytes`.
func text(_ range: Range<Int>, in bytes: [UInt8]) -> String {
    String(decoding: bytes[range], as: UTF8.self)
}
