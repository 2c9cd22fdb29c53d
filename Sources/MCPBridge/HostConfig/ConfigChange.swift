/// An edit of one host file, ready to preview or write: the original bytes and the splices that make the new ones.
package struct ConfigChange: Sendable {
    package var path: String
    /// Nil when the file does not exist yet (it is created).
    package var original: [UInt8]?
    package var splices: [ConfigSplice]
    /// The values the preview masks.
    package var mask: SecretMask

    package var updated: [UInt8] {
        ConfigSplice.apply(splices, to: original ?? [])
    }

    package var isEmpty: Bool { splices.isEmpty }
}

/// An entry installed into a host's document: the splices that put `name` in the servers object, creating the
/// object (and, for an empty file, the whole document) when missing.
package enum InstallEdit {
    package static func change(path: String, original: [UInt8]?, client: HostClient, name: String,
                               entry: BridgeEntry, force: Bool) throws(HostConfigError) -> ConfigChange {
        var mask = SecretMask()
        mask.remember(arguments: entry.arguments)
        mask.remember(environmentValues: entry.environment.map(\.1))
        let bytes = original ?? []
        let document = try ConfigDocument(bytes: bytes, allowsComments: client.allowsComments, path: path)
        let value = entry.value(for: client)
        guard let root = document.root else {
            let text = ConfigValue.object([(client.serversKey, .object([(name, value)]))])
                .text(indent: "", layout: document.layout) + document.layout.newline
            let all = bytes.isEmpty ? 0..<0 : 0..<bytes.count
            return ConfigChange(path: path, original: original, splices: [ConfigSplice(replacing: all, with: text)],
                                mask: mask)
        }
        guard let servers = root.member(client.serversKey) else {
            let splices = document.adding(client.serversKey, .object([(name, value)]), to: root)
            return ConfigChange(path: path, original: original, splices: splices, mask: mask)
        }
        guard servers.value.members != nil else {
            throw .notAnObject(path: path, keyPath: [client.serversKey])
        }
        if let existing = servers.value.member(name) {
            guard force else { throw .entryExists(name: name, path: path) }
            if let old = existing.value.member("args")?.value.strings { mask.remember(arguments: old) }
            if let env = existing.value.member("env")?.value.members {
                mask.remember(environmentValues: env.compactMap(\.value.string))
            }
            return ConfigChange(path: path, original: original, splices: [document.replacing(existing, with: value)],
                                mask: mask)
        }
        return ConfigChange(path: path, original: original, splices: document.adding(name, value, to: servers.value),
                            mask: mask)
    }
}
