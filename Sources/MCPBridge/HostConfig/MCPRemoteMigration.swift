/// One thing of an mcp-remote entry that has no mcp-bridge counterpart, and why.
package struct UnmappedItem: Sendable, Equatable, CustomStringConvertible {
    package var item: String
    package var reason: String
    /// True when the entry was left unchanged because of it.
    package var blocksMigration: Bool

    package var description: String {
        "\(item): \(reason)\(blocksMigration ? " (entry left unchanged)" : " (dropped)")"
    }
}

/// mcp-remote's command line turned into mcp-bridge's: the URL and callback port where mcp-bridge takes them, each
/// flag mcp-bridge shares passed on as written, the rest listed.
///
/// It reads the arguments the way mcp-remote does: every `--header X` pair, then the URL first and an optional
/// numeric callback port second, then flags where the first occurrence of a value flag wins.
package struct MCPRemoteMigration: Sendable, Equatable {
    package var bridgeArguments: [String]
    package var unmapped: [UnmappedItem]

    package var isMigratable: Bool { !unmapped.contains(where: \.blocksMigration) }

    package init(mcpRemoteArguments arguments: [String], environment: [String: String] = [:]) {
        bridgeArguments = []
        unmapped = []
        var tokens = Self.tokens(arguments)
        guard let urlIndex = tokens.firstIndex(where: { $0.header == nil }), let url = tokens[urlIndex].text,
              url.contains("://") else {
            unmapped.append(UnmappedItem(item: "URL", reason: "no server URL as the first argument",
                                         blocksMigration: true))
            return
        }
        tokens.remove(at: urlIndex)
        bridgeArguments = [url]
        if let portIndex = tokens[urlIndex...].firstIndex(where: { $0.header == nil }),
           let port = tokens[portIndex].text, !port.hasPrefix("-"), Int(port) != nil {
            bridgeArguments.append(port)
            tokens.remove(at: portIndex)
        }
        mapFlags(tokens)
        noteEnvironment(environment)
    }

    /// An argument, or a `--header value` pair, which mcp-remote takes out before reading anything else (so the
    /// URL is the first argument that is not part of one); headers keep their place in the new command line.
    private struct Token {
        var text: String?
        var header: String?
    }

    private static func tokens(_ arguments: [String]) -> [Token] {
        var tokens: [Token] = []
        var index = 0
        while index < arguments.count {
            if arguments[index] == "--header", index + 1 < arguments.count {
                tokens.append(Token(header: arguments[index + 1]))
                index += 2
            } else {
                tokens.append(Token(text: arguments[index]))
                index += 1
            }
        }
        return tokens
    }

    private mutating func mapFlags(_ tokens: [Token]) {
        var seen: Set<String> = []
        var index = 0
        while index < tokens.count {
            guard let name = tokens[index].text else {
                bridgeArguments += ["--header", tokens[index].header ?? ""]
                index += 1
                continue
            }
            let flag = MCPRemoteFlag.named(name)
            let next = index + 1 < tokens.count ? tokens[index + 1].text : nil
            let value = flag.takesValue ? next : nil
            index += flag.takesValue && next != nil ? 2 : 1
            guard name.hasPrefix("-") else {
                unmapped.append(UnmappedItem(item: name, reason: "a stray argument mcp-remote ignores",
                                             blocksMigration: false))
                continue
            }
            if name != "--ignore-tool", seen.contains(name) {
                unmapped.append(UnmappedItem(item: name, reason: "given again; mcp-remote uses the first",
                                             blocksMigration: false))
                continue
            }
            seen.insert(name)
            map(name, value: value, as: flag)
        }
    }

    private mutating func map(_ name: String, value: String?, as flag: MCPRemoteFlag) {
        switch flag {
        case .same(let takesValue):
            if takesValue, value == nil {
                unmapped.append(UnmappedItem(item: name, reason: "no value (mcp-remote ignores it)",
                                             blocksMigration: false))
            } else if name == "--resource", value == "" {
                bridgeArguments.append("--disable-resource-parameter")  // mcp-remote: `--resource ""` disables it
            } else {
                bridgeArguments += [name] + (value.map { [$0] } ?? [])
            }
        case .notNeeded(_, let reason):
            unmapped.append(UnmappedItem(item: name, reason: reason, blocksMigration: false))
        case .unsupported(_, let reason):
            unmapped.append(UnmappedItem(item: name, reason: reason, blocksMigration: true))
        }
    }

    /// Node-only variables stay in `env` (harmless) but do nothing for mcp-bridge; the user is told what does.
    private mutating func noteEnvironment(_ environment: [String: String]) {
        let notes = [
            ("MCP_REMOTE_CONFIG_DIR", "mcp-bridge keeps its own sign-ins; it signs in again once"),
            ("NODE_EXTRA_CA_CERTS", "Node only; mcp-bridge's --cacert PATH trusts a bundle instead of the system store"),
            ("NODE_TLS_REJECT_UNAUTHORIZED", "Node only; mcp-bridge verifies TLS (--insecure turns that off)"),
        ]
        for (name, reason) in notes where environment[name] != nil {
            unmapped.append(UnmappedItem(item: "env \(name)", reason: reason, blocksMigration: false))
        }
    }
}
