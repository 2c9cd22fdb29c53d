/// One value of a host config file, located by byte range so an edit can splice around it.
///
/// Host config files are edited, never rewritten: a user's comments, key order, spacing and every entry the bridge
/// does not touch must come back byte for byte. So the parse keeps where each value sits and only decodes what an
/// edit needs to decide on (keys, strings); numbers and literals stay text.
package struct JSONCNode: Sendable, Equatable {
    package enum Kind: Sendable, Equatable {
        case object([JSONCMember])
        case array([JSONCNode])
        case string(String)
        /// A number, `true`, `false` or `null`, kept as its text.
        case scalar
    }

    /// The value's text, from its first byte (`{`, `[`, `"`…) to just after its last.
    package var range: Range<Int>
    package var kind: Kind

    package var members: [JSONCMember]? {
        if case .object(let members) = kind { return members }
        return nil
    }

    package var elements: [JSONCNode]? {
        if case .array(let elements) = kind { return elements }
        return nil
    }

    package var string: String? {
        if case .string(let value) = kind { return value }
        return nil
    }

    /// The value of the member named `key` (the last one when a file repeats a key, as JSON.parse does).
    package func member(_ key: String) -> JSONCMember? {
        members?.last { $0.key == key }
    }

    /// An array of strings (a server's `args`), or nil when the value is anything else.
    package var strings: [String]? {
        guard let elements else { return nil }
        var result: [String] = []
        for element in elements {
            guard let text = element.string else { return nil }
            result.append(text)
        }
        return result
    }
}

/// One `"key": value` of an object: the key decoded, its quoted text located too (edits and diffs start there).
package struct JSONCMember: Sendable, Equatable {
    package var key: String
    package var keyRange: Range<Int>
    package var value: JSONCNode
}
