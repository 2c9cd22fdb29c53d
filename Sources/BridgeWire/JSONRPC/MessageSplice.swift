/// The few edits era translation makes to a message: members added to `params`, `params._meta` or `result`, members
/// removed from an object, and the `id` replaced. Each is a splice into the original bytes, so everything else the
/// sender wrote stays byte for byte.
package enum MessageSplice {
    /// `members` (JSON object members without braces, e.g. `"a":1,"b":2`) added at the start of `params._meta`,
    /// creating `_meta` and `params` when missing. Nil when `params` or `_meta` is not an object.
    package static func addingMeta(_ members: String, to bytes: [UInt8]) -> [UInt8]? {
        guard let params = objectRange(atPath: ["params"], in: bytes) else {
            return addingTopLevel(#""params":{"_meta":{"# + members + "}}", to: bytes)
        }
        switch params {
        case .missing: return addingTopLevel(#""params":{"_meta":{"# + members + "}}", to: bytes)
        case .notObject: return nil
        case .object(let range):
            guard let meta = try? JSONScanner.value(atPath: ["_meta"], in: bytes, root: range) else {
                return inserting(#""_meta":{"# + members + "}", atStartOf: range, in: bytes)
            }
            guard meta.kind == .object else { return nil }
            return inserting(members, atStartOf: meta.range, in: bytes)
        }
    }

    /// `members` added at the start of `params` (created when missing). Nil when `params` is not an object.
    package static func addingParams(_ members: String, to bytes: [UInt8]) -> [UInt8]? {
        switch objectRange(atPath: ["params"], in: bytes) {
        case nil, .missing: addingTopLevel(#""params":{"# + members + "}", to: bytes)
        case .notObject: nil
        case .object(let range): inserting(members, atStartOf: range, in: bytes)
        }
    }

    /// `members` added at the start of the `result` object. Nil when there is no object `result`.
    package static func addingResult(_ members: String, to bytes: [UInt8]) -> [UInt8]? {
        guard case .object(let range) = objectRange(atPath: ["result"], in: bytes) else { return nil }
        return inserting(members, atStartOf: range, in: bytes)
    }

    /// The members named in `names` removed from the object at `path`; every other member keeps its bytes. Nil when
    /// there is no such object, or none of the names is in it.
    package static func removingMembers(_ names: Set<String>, atPath path: [String], in bytes: [UInt8]) -> [UInt8]? {
        guard case .object(let range) = objectRange(atPath: path, in: bytes),
              let members = try? JSONScanner.members(of: range, in: bytes),
              members.contains(where: { names.contains($0.key) }) else { return nil }
        var kept: [[UInt8]] = []
        for member in members where !names.contains(member.key) {
            guard let start = keyStart(before: member.value, in: bytes) else { return nil }
            kept.append(Array(bytes[start..<member.value.upperBound]))
        }
        let object = [UInt8(ascii: "{")] + Array(kept.joined(separator: [UInt8(ascii: ",")])) + [UInt8(ascii: "}")]
        return Array(bytes[..<range.lowerBound]) + object + Array(bytes[range.upperBound...])
    }

    /// Where the key of the member whose value starts at `value` begins: back over `:` and whitespace to the key's
    /// closing quote, then to the opening quote that no backslash escapes.
    private static func keyStart(before value: Range<Int>, in bytes: [UInt8]) -> Int? {
        let whitespace: Set<UInt8> = [0x20, 0x09, 0x0A, 0x0D]
        var index = value.lowerBound - 1
        while index >= 0, whitespace.contains(bytes[index]) { index -= 1 }
        guard index >= 0, bytes[index] == UInt8(ascii: ":") else { return nil }
        index -= 1
        while index >= 0, whitespace.contains(bytes[index]) { index -= 1 }
        guard index >= 0, bytes[index] == UInt8(ascii: "\"") else { return nil }
        index -= 1
        while index >= 0 {
            if bytes[index] == UInt8(ascii: "\"") {
                var backslashes = 0
                while index - backslashes - 1 >= 0, bytes[index - backslashes - 1] == UInt8(ascii: "\\") {
                    backslashes += 1
                }
                if backslashes % 2 == 0 { return index }
            }
            index -= 1
        }
        return nil
    }

    /// The message with its top-level `id` value replaced.
    package static func replacingID(in message: [UInt8], with id: RequestID) -> [UInt8]? {
        guard let value = try? JSONScanner.value(atPath: ["id"], in: message) else { return nil }
        return Array(message[..<value.range.lowerBound]) + Array(id.json.utf8)
            + Array(message[value.range.upperBound...])
    }

    private enum Member {
        case missing, notObject
        case object(Range<Int>)
    }

    private static func objectRange(atPath path: [String], in bytes: [UInt8]) -> Member? {
        do {
            guard let value = try JSONScanner.value(atPath: path, in: bytes) else { return .missing }
            return value.kind == .object ? .object(value.range) : .notObject
        } catch {
            return nil
        }
    }

    /// Inserts at the start of an object (whose range starts at `{`), adding the comma a non-empty one needs.
    private static func inserting(_ members: String, atStartOf object: Range<Int>, in bytes: [UInt8]) -> [UInt8] {
        let open = object.lowerBound + 1
        var next = open
        while next < object.upperBound, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[next]) { next += 1 }
        let empty = next < object.upperBound && bytes[next] == UInt8(ascii: "}")
        return Array(bytes[..<open]) + Array((empty ? members : members + ",").utf8) + Array(bytes[open...])
    }

    /// Appends a member to the top-level object, before its closing brace.
    private static func addingTopLevel(_ member: String, to bytes: [UInt8]) -> [UInt8]? {
        guard let close = bytes.lastIndex(of: UInt8(ascii: "}")) else { return nil }
        return Array(bytes[..<close]) + Array(("," + member).utf8) + Array(bytes[close...])
    }
}
