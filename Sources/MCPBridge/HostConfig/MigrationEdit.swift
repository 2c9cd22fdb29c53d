/// What `migrate` found in one entry of a host's file.
package struct MigrationReport: Sendable, Equatable {
    /// The entry's name, with its table for Claude Code's per-project servers (`projects./work/app.mcpServers`).
    package var name: String
    package var url: String
    package var migrated: Bool
    package var unmapped: [UnmappedItem]
}

/// Every mcp-remote entry of a host's document rewritten to launch mcp-bridge: `command` and `args` are replaced
/// in place; `env`, `type`, `disabled` and every other key of the entry, and everything else in the file, keep
/// their bytes. An entry with a flag mcp-bridge cannot honour is left alone and reported.
package enum MigrationEdit {
    package static func change(path: String, original: [UInt8], client: HostClient,
                               bridgeCommand: String) throws(HostConfigError) -> (ConfigChange, [MigrationReport]) {
        let document = try ConfigDocument(bytes: original, allowsComments: client.allowsComments, path: path)
        var change = ConfigChange(path: path, original: original, splices: [], mask: SecretMask())
        var reports: [MigrationReport] = []
        for table in client.serverTables(in: document) {
            for server in document.node(at: table)?.members ?? [] {
                guard let report = migrate(server, table: table, client: client, bridgeCommand: bridgeCommand,
                                           document: document, into: &change) else { continue }
                reports.append(report)
            }
        }
        return (change, reports)
    }

    /// Adds the splices for one entry; nil when it does not launch mcp-remote.
    private static func migrate(_ server: JSONCMember, table: [String], client: HostClient, bridgeCommand: String,
                                document: ConfigDocument, into change: inout ConfigChange) -> MigrationReport? {
        guard let command = server.value.member("command"), let commandText = command.value.string else { return nil }
        // mcp-remote needs at least its URL in `args`; a `command` with no `args` runs something else.
        guard let argsMember = server.value.member("args"), let args = argsMember.value.strings,
              let remoteArguments = MCPRemoteLaunch.arguments(command: commandText, args: args) else { return nil }
        var environment: [String: String] = [:]
        for variable in server.value.member("env")?.value.members ?? [] {
            environment[variable.key] = variable.value.string ?? ""
        }
        let migration = MCPRemoteMigration(mcpRemoteArguments: remoteArguments, environment: environment)
        let name = table.count == 1 ? server.key : table.dropLast().joined(separator: ".") + "." + server.key
        let report = MigrationReport(name: name, url: migration.bridgeArguments.first ?? "",
                                     migrated: migration.isMigratable, unmapped: migration.unmapped)
        guard migration.isMigratable else { return report }
        change.mask.remember(arguments: args)
        change.mask.remember(environmentValues: Array(environment.values))
        change.splices.append(document.replacing(command, with: .string(bridgeCommand)))
        let newArgs = ConfigValue.array(migration.bridgeArguments.map(ConfigValue.string))
        change.splices.append(document.replacing(argsMember, with: newArgs))
        return report
    }
}
