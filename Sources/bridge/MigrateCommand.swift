import ArgumentParser
import BridgeHTTP
import MCPBridge

/// `mcp-bridge migrate [--client HOST]`: rewrites the entries that run mcp-remote to run mcp-bridge with the same
/// URL and the flags mcp-bridge shares, and says what it could not map.
struct MigrateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Rewrite host entries that run mcp-remote to run mcp-bridge.",
        discussion: """
            Finds entries that launch mcp-remote (npx, npx.cmd, cmd /c npx, bunx, pnpm dlx, yarn dlx, or node \
            .../mcp-remote/dist/proxy.js) and replaces their command and args with mcp-bridge, the same URL and \
            the equivalent flags; env and every other key stay. An entry with a flag mcp-bridge cannot honour is \
            left as it is. Without --client, every host's config file that exists is looked at (user scope, \
            and the project files in the current directory). Run with --dry-run first: it prints the diff and \
            what could not be mapped, and writes nothing.
            """
    )

    @OptionGroup var target: HostConfigOptions

    func run() throws {
        var files: [(HostClient, String)] = []
        if let client = target.client {
            files.append((client, try target.path(for: client)))
        } else {
            let location = target.location()
            for client in HostClient.allCases {
                for scope in client.scopes {
                    guard let path = try? location.path(of: client, scope: scope),
                          !files.contains(where: { $0.1 == path }) else { continue }
                    files.append((client, path))
                }
            }
        }
        var found = 0
        for (client, path) in files {
            guard let original = try ConfigFile.read(path) else {
                if target.client != nil { StandardError.write("\(path): no such file") }
                continue
            }
            found += try migrate(path: path, original: original, client: client)
        }
        if found == 0 { StandardError.write("no entry runs mcp-remote; nothing to migrate") }
    }

    /// Migrates one file; returns how many mcp-remote entries it holds.
    private func migrate(path: String, original: [UInt8], client: HostClient) throws -> Int {
        let (change, reports) = try MigrationEdit.change(path: path, original: original, client: client,
                                                         bridgeCommand: target.bridgeCommand())
        guard !reports.isEmpty else { return 0 }
        StandardError.write("\(path) (\(client.displayName)):")
        for report in reports {
            let verb = report.migrated ? (target.dryRun ? "would migrate" : "migrated") : "left unchanged"
            StandardError.write("  \(report.name): \(verb) (\(Redaction.redactURL(report.url)))")
            for item in report.unmapped { StandardError.write("    not mapped: \(item)") }
        }
        guard !change.isEmpty else { return reports.count }
        if target.dryRun {
            print(ChangePreview.diff(change), terminator: "")
            StandardError.write("dry run: \(path) not written")
        } else {
            let backup = try ConfigFile.write(change.updated, to: path, timestamp: ConfigFile.timestamp())
            StandardError.write("  written" + (backup.map { "; previous file: \($0)" } ?? "")
                + "; restart \(client.displayName) to use it")
        }
        return reports.count
    }
}
