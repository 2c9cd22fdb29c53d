import BridgeWire

/// Why a config file is not JSON (or, for VS Code, JSONC), and at which byte; `HostConfigError` turns the offset
/// into the line and column an editor shows.
package struct JSONCSyntaxError: Error, Sendable, Equatable {
    package var offset: Int
    package var message: String
}

/// Parses a host config file into located values (`JSONCNode`).
///
/// Strict JSON (RFC 8259) for the hosts that read their file with `JSON.parse`; with `allowsComments`, the JSONC
/// that VS Code reads: `//` and `/* */` comments and trailing commas. Strings and numbers are checked by
/// BridgeWire's `JSONScanner`, so the rules for escapes, UTF-8 and numbers are the relay's. A UTF-8 byte order mark
/// at the start is skipped (Windows editors write one) and kept by every edit.
package struct JSONCParser {
    private let bytes: [UInt8]
    private let allowsComments: Bool
    private var position = 0
    private var depth = 0
    private static let maximumDepth = 256

    private init(bytes: [UInt8], allowsComments: Bool) {
        self.bytes = bytes
        self.allowsComments = allowsComments
    }

    /// The document's single top-level value; nil when the text is empty or only whitespace and comments.
    package static func parse(_ bytes: [UInt8], allowsComments: Bool) throws(JSONCSyntaxError) -> JSONCNode? {
        var parser = JSONCParser(bytes: bytes, allowsComments: allowsComments)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { parser.position = 3 }
        try parser.skipTrivia()
        guard parser.position < bytes.count else { return nil }
        let root = try parser.parseValue()
        try parser.skipTrivia()
        guard parser.position == bytes.count else { throw parser.failure("content after the top-level value") }
        return root
    }

    /// Where the trivia (whitespace and, in JSONC, comments) that starts at `offset` ends.
    package static func endOfTrivia(from offset: Int, in bytes: [UInt8], allowsComments: Bool) -> Int {
        var parser = JSONCParser(bytes: bytes, allowsComments: allowsComments)
        parser.position = offset
        return (try? parser.skipTrivia()).map { parser.position } ?? offset
    }

    private func failure(_ message: String, at offset: Int? = nil) -> JSONCSyntaxError {
        JSONCSyntaxError(offset: offset ?? position, message: message)
    }

    private func describe(_ byte: UInt8) -> String {
        (0x21..<0x7F).contains(byte) ? "'\(Character(Unicode.Scalar(byte)))'" : "byte 0x\(String(byte, radix: 16))"
    }

    private mutating func skipTrivia() throws(JSONCSyntaxError) {
        while position < bytes.count {
            switch bytes[position] {
            case 0x20, 0x09, 0x0A, 0x0D:
                position += 1
            case UInt8(ascii: "/") where position + 1 < bytes.count:
                guard allowsComments else {
                    guard [UInt8(ascii: "/"), UInt8(ascii: "*")].contains(bytes[position + 1]) else { return }
                    throw failure("a comment (not allowed in JSON)")
                }
                try skipComment()
            default:
                return
            }
        }
    }

    private mutating func skipComment() throws(JSONCSyntaxError) {
        let start = position
        switch bytes[position + 1] {
        case UInt8(ascii: "/"):
            while position < bytes.count, bytes[position] != 0x0A { position += 1 }
        case UInt8(ascii: "*"):
            position += 2
            while position + 1 < bytes.count, !(bytes[position] == UInt8(ascii: "*") && bytes[position + 1] == 0x2F) {
                position += 1
            }
            guard position + 1 < bytes.count else { throw failure("unterminated /* comment", at: start) }
            position += 2
        default:
            throw failure("unexpected '/'")
        }
    }

    private mutating func parseValue() throws(JSONCSyntaxError) -> JSONCNode {
        guard position < bytes.count else { throw failure("unexpected end of file") }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""):
            let (range, text) = try parseString()
            return JSONCNode(range: range, kind: .string(text))
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "t"), UInt8(ascii: "f"),
             UInt8(ascii: "n"):
            return try parseScalar()
        case let byte:
            throw failure("unexpected \(describe(byte)); expected a value")
        }
    }

    private mutating func enter() throws(JSONCSyntaxError) {
        depth += 1
        guard depth <= Self.maximumDepth else { throw failure("nesting deeper than \(Self.maximumDepth)") }
        position += 1
        try skipTrivia()
    }

    private mutating func parseObject() throws(JSONCSyntaxError) -> JSONCNode {
        let start = position
        try enter()
        var members: [JSONCMember] = []
        while try !closes(UInt8(ascii: "}"), afterComma: !members.isEmpty) {
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw failure(position < bytes.count ? "expected a key in quotes" : "unexpected end of file")
            }
            let (keyRange, key) = try parseString()
            try skipTrivia()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw failure("expected ':' after the key \"\(key)\"")
            }
            position += 1
            try skipTrivia()
            members.append(JSONCMember(key: key, keyRange: keyRange, value: try parseValue()))
            try skipTrivia()
        }
        depth -= 1
        return JSONCNode(range: start..<position, kind: .object(members))
    }

    private mutating func parseArray() throws(JSONCSyntaxError) -> JSONCNode {
        let start = position
        try enter()
        var elements: [JSONCNode] = []
        while try !closes(UInt8(ascii: "]"), afterComma: !elements.isEmpty) {
            elements.append(try parseValue())
            try skipTrivia()
        }
        depth -= 1
        return JSONCNode(range: start..<position, kind: .array(elements))
    }

    /// At a member or element boundary: true (and past the bracket) when the container closes here; consumes the
    /// comma between items; a trailing comma before the bracket only in JSONC.
    private mutating func closes(_ bracket: UInt8, afterComma needsComma: Bool) throws(JSONCSyntaxError) -> Bool {
        let closing = Character(Unicode.Scalar(bracket))
        guard position < bytes.count else { throw failure("unexpected end of file; expected '\(closing)'") }
        if bytes[position] == bracket {
            position += 1
            return true
        }
        guard needsComma else { return false }
        guard bytes[position] == UInt8(ascii: ",") else {
            throw failure("unexpected \(describe(bytes[position])); expected ',' or '\(closing)'")
        }
        let comma = position
        position += 1
        try skipTrivia()
        guard position < bytes.count, bytes[position] == bracket else { return false }
        guard allowsComments else { throw failure("trailing comma (not allowed in JSON)", at: comma) }
        position += 1
        return true
    }

    private mutating func parseString() throws(JSONCSyntaxError) -> (Range<Int>, String) {
        let start = position
        position += 1
        while position < bytes.count, bytes[position] != UInt8(ascii: "\"") {
            position += bytes[position] == UInt8(ascii: "\\") ? 2 : 1
        }
        guard position < bytes.count else { throw failure("unterminated string", at: start) }
        position += 1
        do {
            return (start..<position, try JSONScanner.string(at: start..<position, in: bytes))
        } catch {
            throw failure(error.description.replacingByteOffset(), at: error.offset)
        }
    }

    private mutating func parseScalar() throws(JSONCSyntaxError) -> JSONCNode {
        let start = position
        let allowed = Array("+-.0123456789eEtruefalsn".utf8)
        while position < bytes.count, allowed.contains(bytes[position]) { position += 1 }
        do {
            _ = try JSONScanner.validate(start..<position, in: bytes)
        } catch {
            throw failure(error.description.replacingByteOffset(), at: error.offset)
        }
        return JSONCNode(range: start..<position, kind: .scalar)
    }
}

extension String {
    /// `JSONScanError`'s text without its "at byte N" tail: the config error gives a line and column instead.
    fileprivate func replacingByteOffset() -> String {
        guard let at = ranges(of: " at byte ").last else { return self }
        return String(self[..<at.lowerBound])
    }
}
