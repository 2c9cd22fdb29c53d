import BridgeWire

/// A host's config file as read: its bytes, their layout, and the located values, ready for splices.
package struct ConfigDocument: Sendable {
    package let bytes: [UInt8]
    package let allowsComments: Bool
    package let layout: ConfigLayout
    /// Nil for an empty file (or one of whitespace and comments only): the bridge writes the whole object.
    package let root: JSONCNode?

    /// Parses `bytes`; a file that is not JSON (JSONC with `allowsComments`) is refused with its line and column,
    /// and one whose top level is not an object too, since no host could read a server from it.
    package init(bytes: [UInt8], allowsComments: Bool, path: String) throws(HostConfigError) {
        self.bytes = bytes
        self.allowsComments = allowsComments
        layout = ConfigLayout.of(bytes)
        do {
            root = try JSONCParser.parse(bytes, allowsComments: allowsComments)
        } catch {
            let (line, column) = Self.lineAndColumn(of: error.offset, in: bytes)
            throw .invalidJSON(path: path, line: line, column: column, message: error.message,
                               dialect: allowsComments ? "JSONC" : "JSON")
        }
        if let root, root.members == nil { throw .notAnObject(path: path, keyPath: []) }
    }

    /// 1-based line and column (in characters, as editors count) of a byte offset.
    package static func lineAndColumn(of offset: Int, in bytes: [UInt8]) -> (Int, Int) {
        var line = 1
        var column = 1
        for byte in bytes[..<min(offset, bytes.count)] {
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return (line, column)
    }

    /// The value at `path` from the root; nil when a step is missing.
    package func node(at path: [String]) -> JSONCNode? {
        var node = root
        for key in path { node = node?.member(key)?.value }
        return node
    }

    /// The splices that add `key: value` as the last member of `object`, in the file's layout: a comma after the
    /// member before it (unless a trailing comma is already there), the new member on its own line, indented like
    /// its siblings, and the line of the closing brace left as it was.
    package func adding(_ key: String, _ value: ConfigValue, to object: JSONCNode) -> [ConfigSplice] {
        let members = object.members ?? []
        let close = object.range.upperBound - 1
        let objectIndent = ConfigLayout.indent(ofLineAt: object.range.lowerBound, in: bytes)
        var memberIndent = objectIndent + layout.unit
        if let first = members.first, isOnOwnLine(first.keyRange.lowerBound) {
            memberIndent = ConfigLayout.indent(ofLineAt: first.keyRange.lowerBound, in: bytes)
        }
        let member = JSONString.quote(key) + ": " + value.text(indent: memberIndent, layout: layout)
        var splices: [ConfigSplice] = []
        var trailingComma = false
        if let last = members.last {
            let next = JSONCParser.endOfTrivia(from: last.value.range.upperBound, in: bytes,
                                               allowsComments: allowsComments)
            trailingComma = next < close && bytes[next] == UInt8(ascii: ",")
            if !trailingComma { splices.append(ConfigSplice(inserting: ",", at: last.value.range.upperBound)) }
        }
        let ending = trailingComma ? "," : ""
        let closingLine = ConfigLayout.lineStart(of: close, in: bytes)
        let lastEnd = members.last?.value.range.upperBound ?? object.range.lowerBound + 1
        if isOnOwnLine(close), lastEnd < closingLine {
            let text = memberIndent + member + ending + layout.newline
            splices.append(ConfigSplice(inserting: text, at: closingLine))
        } else {
            let text = layout.newline + memberIndent + member + ending + layout.newline + objectIndent
            splices.append(ConfigSplice(inserting: text, at: close))
        }
        return splices
    }

    /// The splice that replaces a member's value, laid out for the member's line.
    package func replacing(_ member: JSONCMember, with value: ConfigValue) -> ConfigSplice {
        let indent = ConfigLayout.indent(ofLineAt: member.keyRange.lowerBound, in: bytes)
        let multiline = bytes[member.value.range].contains(0x0A) || member.value.elements?.isEmpty != false
        return ConfigSplice(replacing: member.value.range,
                            with: value.text(indent: indent, layout: layout, multiline: multiline))
    }

    /// Whether only spaces and tabs stand between the start of the line and `offset`.
    private func isOnOwnLine(_ offset: Int) -> Bool {
        ConfigLayout.lineStart(of: offset, in: bytes) == offset
            || bytes[ConfigLayout.lineStart(of: offset, in: bytes)..<offset].allSatisfy { $0 == 0x20 || $0 == 0x09 }
    }
}
