/// Recognises a host entry that launches mcp-remote, whatever runs it, and yields mcp-remote's own arguments.
///
/// The launches seen in real configs: `npx [-y] mcp-remote[@version] URL …` (also `npx.cmd`, an absolute npx path,
/// and Windows' `cmd /c npx …`), `bunx`/`bun x`, `pnpm dlx`/`pnpx`, `yarn dlx`, and `node …/mcp-remote/dist/proxy.js`
/// from a local install. Anything else (including `mcp-remote-client`, the diagnostic) is not a proxy launch.
package enum MCPRemoteLaunch {
    /// mcp-remote's arguments (the URL first, as mcp-remote requires) when `command args` launches it.
    package static func arguments(command: String, args: [String]) -> [String]? {
        var tokens = [command] + args
        if isCmd(tokens[0]), tokens.count > 2, ["/c", "/k"].contains(tokens[1].lowercased()) {
            tokens.removeFirst(2)
        }
        let program = programName(tokens[0])
        var rest = Array(tokens.dropFirst())
        switch program {
        case "npx", "bunx", "pnpx":
            break
        case "pnpm", "yarn", "bun":
            guard let verb = rest.first, verb == (program == "bun" ? "x" : "dlx") else { return nil }
            rest.removeFirst()
        case "node":
            return nodeScriptArguments(rest)
        default:
            return nil
        }
        return packageArguments(rest)
    }

    /// After the runner's own options (`-y`, `--yes`, `--package=…`, `-p pkg`), the package must be mcp-remote.
    private static func packageArguments(_ tokens: [String]) -> [String]? {
        var index = 0
        var packageFlagNamedIt = false
        while index < tokens.count, tokens[index].hasPrefix("-") {
            let option = tokens[index]
            if option == "-p" || option == "--package", index + 1 < tokens.count {
                packageFlagNamedIt = isMCPRemotePackage(tokens[index + 1])
                index += 1
            } else if option.hasPrefix("--package=") {
                packageFlagNamedIt = isMCPRemotePackage(String(option.dropFirst("--package=".count)))
            }
            index += 1
        }
        guard index < tokens.count else { return nil }
        let name = tokens[index]
        guard isMCPRemotePackage(name) || (packageFlagNamedIt && name == "mcp-remote") else { return nil }
        return Array(tokens[(index + 1)...])
    }

    /// `node [node options] /path/to/node_modules/mcp-remote/dist/proxy.js URL …`.
    private static func nodeScriptArguments(_ tokens: [String]) -> [String]? {
        guard let script = tokens.firstIndex(where: { !$0.hasPrefix("-") }) else { return nil }
        let path = tokens[script].replacing("\\", with: "/")
        guard path.hasSuffix("mcp-remote/dist/proxy.js") || path.hasSuffix("mcp-remote/dist/proxy.mjs") else {
            return nil
        }
        return Array(tokens[(script + 1)...])
    }

    /// `mcp-remote`, `mcp-remote@latest`, `mcp-remote@0.1.38`.
    private static func isMCPRemotePackage(_ token: String) -> Bool {
        token == "mcp-remote" || token.hasPrefix("mcp-remote@")
    }

    /// The file name without directory or Windows extension, lowercased: `C:\Program Files\nodejs\npx.cmd` → `npx`.
    static func programName(_ command: String) -> String {
        var name = Substring(command.lowercased())
        if let slash = name.lastIndex(where: { $0 == "/" || $0 == "\\" }) { name = name[name.index(after: slash)...] }
        for suffix in [".cmd", ".exe", ".bat", ".ps1"] where name.hasSuffix(suffix) {
            name = name.dropLast(suffix.count)
        }
        return String(name)
    }

    private static func isCmd(_ command: String) -> Bool {
        programName(command) == "cmd"
    }
}
