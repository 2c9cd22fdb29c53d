/// What a raw value is, which is all routing needs to decide whether to look deeper.
public enum JSONValueKind: Sendable, Equatable {
    case object, array, string, number, bool, null
}

/// A validated value located in a caller's buffer: its raw text stays where it is, so it can be relayed untouched.
public struct JSONValue: Sendable, Hashable {
    /// Byte range of the value's text, without surrounding whitespace.
    public var range: Range<Int>
    public var kind: JSONValueKind

    public init(range: Range<Int>, kind: JSONValueKind) {
        self.range = range
        self.kind = kind
    }
}

/// One member of an object: the key is decoded (keys are compared by value), the value is left as raw bytes.
public struct JSONMember: Sendable, Equatable {
    public var key: String
    public var value: Range<Int>
    public var kind: JSONValueKind

    public init(key: String, value: Range<Int>, kind: JSONValueKind) {
        self.key = key
        self.value = value
        self.kind = kind
    }
}

/// Why a text is not JSON, and where; the offset is absolute in the scanned buffer so log lines can point at it.
public struct JSONScanError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        case unexpectedEnd
        case unexpectedByte(UInt8)
        case trailingContent, tooDeep
        case controlCharacterInString, invalidEscape, invalidUnicodeEscape, invalidUTF8
        case invalidNumber, leadingZero
        /// The text is valid but the caller asked for a different kind of value (e.g. members of an array).
        case kindMismatch(expected: JSONValueKind)
    }

    public var offset: Int
    public var reason: Reason

    public init(offset: Int, reason: Reason) {
        self.offset = offset
        self.reason = reason
    }

    public var description: String {
        let text: String
        switch reason {
        case .unexpectedEnd: text = "unexpected end of input"
        case .unexpectedByte(let byte): text = "unexpected byte 0x\(String(byte, radix: 16))"
        case .trailingContent: text = "content after the JSON value"
        case .tooDeep: text = "nesting deeper than \(JSONScanner.maximumDepth)"
        case .controlCharacterInString: text = "unescaped control character in string"
        case .invalidEscape: text = "invalid escape sequence"
        case .invalidUnicodeEscape: text = "invalid \\u escape"
        case .invalidUTF8: text = "invalid UTF-8"
        case .invalidNumber: text = "invalid number"
        case .leadingZero: text = "number with a leading zero"
        case .kindMismatch(let expected): text = "expected \(expected)"
        }
        return "\(text) at byte \(offset)"
    }
}

/// Strict RFC 8259 validation over raw UTF-8, locating values instead of building them.
///
/// The bridge relays bytes untouched, so it never needs a document tree: it only needs to know that a message is
/// JSON and where a handful of values sit. Every entry point validates the bytes it walks, in one pass, without
/// allocating per byte and without recursion (nesting is tracked in a fixed 512-bit stack).
///
/// Documented choices: `\u` escapes naming a lone surrogate are accepted, as most parsers do (decoding turns them
/// into U+FFFD); numbers of any size are accepted (`1e400`, 400-digit integers) because they are relayed as text;
/// with duplicate keys the last one wins in every lookup here.
public enum JSONScanner {
    /// Same ceiling as Foundation's parser, so the bridge never accepts what a Swift server would reject for depth.
    public static let maximumDepth = 512

    /// Validates a complete JSON text (one value, optionally surrounded by ` \t\r\n`) and locates its value.
    public static func validate(_ bytes: UnsafeRawBufferPointer) throws(JSONScanError) -> JSONValue {
        try validate(0..<bytes.count, in: bytes)
    }

    /// Validates that `range` holds exactly one JSON text (e.g. one batch element); offsets stay absolute.
    public static func validate(
        _ range: Range<Int>, in bytes: UnsafeRawBufferPointer
    ) throws(JSONScanError) -> JSONValue {
        var cursor = JSONCursor(bytes, range: range)
        cursor.skipWhitespace()
        let start = cursor.position
        let kind = try cursor.scanValue(maximumDepth: maximumDepth)
        let end = cursor.position
        try cursor.finish()
        return JSONValue(range: start..<end, kind: kind)
    }

    /// Validates a complete JSON text whose value must be an object, and lists its members in order.
    public static func members(in bytes: UnsafeRawBufferPointer) throws(JSONScanError) -> [JSONMember] {
        try members(of: 0..<bytes.count, in: bytes)
    }

    /// Lists the members of the object whose text is `range` (whitespace around it is allowed), validating it.
    public static func members(
        of range: Range<Int>, in bytes: UnsafeRawBufferPointer
    ) throws(JSONScanError) -> [JSONMember] {
        var result: [JSONMember] = []
        try forEachMember(of: range, in: bytes) { key, value in
            result.append(JSONMember(key: decodeKey(key, in: bytes), value: value.range, kind: value.kind))
        }
        return result
    }

    /// Lists the elements of the array whose text is `range` (batches, `tools/list` results), validating it.
    public static func elements(
        of range: Range<Int>, in bytes: UnsafeRawBufferPointer
    ) throws(JSONScanError) -> [JSONValue] {
        var result: [JSONValue] = []
        try forEachElement(of: range, in: bytes) { result.append($0) }
        return result
    }

    /// Decodes the string value whose text (quotes included) is exactly `range`, resolving every escape.
    public static func string(at range: Range<Int>, in bytes: UnsafeRawBufferPointer) throws(JSONScanError) -> String {
        var cursor = JSONCursor(bytes, range: range)
        guard try cursor.peek() == UInt8(ascii: "\"") else {
            throw JSONScanError(offset: range.lowerBound, reason: .kindMismatch(expected: .string))
        }
        let escaped = try cursor.scanString()
        try cursor.finish()
        return decodeStringBody(range.lowerBound + 1..<range.upperBound - 1, escaped: escaped, in: bytes)
    }

    /// Follows object keys from the document root (or from the value at `root`) and returns the value found there.
    ///
    /// Returns `nil` when a key is missing or a step is not an object; throws only when the bytes walked are not
    /// JSON. Without `root` the whole text is validated first, so a lookup never vouches for a broken document.
    public static func value(
        atPath path: [String], in bytes: UnsafeRawBufferPointer, root: Range<Int>? = nil
    ) throws(JSONScanError) -> JSONValue? {
        var current: JSONValue
        if let root {
            var cursor = JSONCursor(bytes, range: root)
            cursor.skipWhitespace()
            current = JSONValue(range: root, kind: try cursor.peekKind())
        } else {
            current = try validate(bytes)
        }
        for var component in path {
            guard current.kind == .object else { return nil }
            let range = current.range
            let found = try component.withUTF8 { name in
                Result { () throws(JSONScanError) in
                    try member(named: UnsafeRawBufferPointer(name), of: range, in: bytes)
                }
            }.get()
            guard let found else { return nil }
            current = found
        }
        return current
    }

    /// The last member of the object at `range` whose key is `name` (validating the whole object).
    static func member(
        named name: UnsafeRawBufferPointer, of range: Range<Int>, in bytes: UnsafeRawBufferPointer
    ) throws(JSONScanError) -> JSONValue? {
        var found: JSONValue?
        try forEachMember(of: range, in: bytes) { key, value in
            if keyEquals(key, name, in: bytes) { found = value }
        }
        return found
    }

    // MARK: Internal visitors (no per-member allocation; the envelope classifier uses these directly)

    /// A member key as located by the scanner: the string's text range and whether it holds escapes.
    struct Key {
        var range: Range<Int>
        var escaped: Bool
    }

    static func forEachMember(
        of range: Range<Int>, in bytes: UnsafeRawBufferPointer, _ body: (Key, JSONValue) -> Void
    ) throws(JSONScanError) {
        var cursor = JSONCursor(bytes, range: range)
        cursor.skipWhitespace()
        try cursor.open(UInt8(ascii: "{"), kind: .object)
        if try cursor.peek() != UInt8(ascii: "}") {
            repeat {
                let keyStart = cursor.position
                let escaped = try cursor.scanMemberKey()
                let key = Key(range: keyStart..<cursor.keyEnd, escaped: escaped)
                let valueStart = cursor.position
                let kind = try cursor.scanValue(maximumDepth: maximumDepth - 1)
                body(key, JSONValue(range: valueStart..<cursor.position, kind: kind))
                cursor.skipWhitespace()
            } while try cursor.consumeComma()
        }
        try cursor.expect(UInt8(ascii: "}"))
        try cursor.finish()
    }

    static func forEachElement(
        of range: Range<Int>, in bytes: UnsafeRawBufferPointer, _ body: (JSONValue) -> Void
    ) throws(JSONScanError) {
        var cursor = JSONCursor(bytes, range: range)
        cursor.skipWhitespace()
        try cursor.open(UInt8(ascii: "["), kind: .array)
        if try cursor.peek() != UInt8(ascii: "]") {
            repeat {
                let start = cursor.position
                let kind = try cursor.scanValue(maximumDepth: maximumDepth - 1)
                body(JSONValue(range: start..<cursor.position, kind: kind))
                cursor.skipWhitespace()
            } while try cursor.consumeComma()
        }
        try cursor.expect(UInt8(ascii: "]"))
        try cursor.finish()
    }

    /// Compares a scanned key with a name by exact UTF-8 bytes (no Unicode normalization, like the server will).
    ///
    /// A plain byte loop over raw buffers: the generic `elementsEqual` looks up runtime metadata on every member of
    /// every message.
    static func keyEquals(_ key: Key, _ name: UnsafeRawBufferPointer, in bytes: UnsafeRawBufferPointer) -> Bool {
        let body = key.range.lowerBound + 1..<key.range.upperBound - 1
        guard key.escaped else { return bytesEqual(UnsafeRawBufferPointer(rebasing: bytes[body]), name) }
        var decoded = decodeStringBody(body, escaped: true, in: bytes)
        return decoded.withUTF8 { bytesEqual(UnsafeRawBufferPointer($0), name) }
    }

    static func keyEquals(_ key: Key, _ name: StaticString, in bytes: UnsafeRawBufferPointer) -> Bool {
        keyEquals(key, UnsafeRawBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount), in: bytes)
    }

    private static func bytesEqual(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where a[i] != b[i] {
            return false
        }
        return true
    }

    static func decodeKey(_ key: Key, in bytes: UnsafeRawBufferPointer) -> String {
        decodeStringBody(key.range.lowerBound + 1..<key.range.upperBound - 1, escaped: key.escaped, in: bytes)
    }

    /// Turns an already validated string body (between the quotes) into a `String`.
    static func decodeStringBody(_ body: Range<Int>, escaped: Bool, in bytes: UnsafeRawBufferPointer) -> String {
        let raw = UnsafeRawBufferPointer(rebasing: bytes[body])
        guard escaped else { return String(decoding: raw, as: UTF8.self) }
        // Every escape decodes to fewer bytes than its text, so the body's length is always enough room.
        return String(unsafeUninitializedCapacity: raw.count) { out in
            JSONUnescaper.unescape(raw, into: out)
        }
    }
}

extension JSONScanner {
    public static func validate(_ bytes: [UInt8]) throws(JSONScanError) -> JSONValue {
        try bytes.withRawBytes { (raw) throws(JSONScanError) in try validate(raw) }
    }

    public static func validate(_ range: Range<Int>, in bytes: [UInt8]) throws(JSONScanError) -> JSONValue {
        try bytes.withRawBytes { (raw) throws(JSONScanError) in try validate(range, in: raw) }
    }

    public static func members(in bytes: [UInt8]) throws(JSONScanError) -> [JSONMember] {
        try bytes.withRawBytes { (raw) throws(JSONScanError) in try members(in: raw) }
    }

    public static func members(of range: Range<Int>, in bytes: [UInt8]) throws(JSONScanError) -> [JSONMember] {
        try bytes.withRawBytes { (raw) throws(JSONScanError) in try members(of: range, in: raw) }
    }

    public static func elements(of range: Range<Int>, in bytes: [UInt8]) throws(JSONScanError) -> [JSONValue] {
        try bytes.withRawBytes { (raw) throws(JSONScanError) in try elements(of: range, in: raw) }
    }

    public static func string(at range: Range<Int>, in bytes: [UInt8]) throws(JSONScanError) -> String {
        try bytes.withRawBytes { (raw) throws(JSONScanError) in try string(at: range, in: raw) }
    }

    public static func value(
        atPath path: [String], in bytes: [UInt8], root: Range<Int>? = nil
    ) throws(JSONScanError) -> JSONValue? {
        try bytes.withRawBytes { (raw) throws(JSONScanError) in try value(atPath: path, in: raw, root: root) }
    }
}

extension Array where Element == UInt8 {
    /// `withUnsafeBytes` with the body's typed error preserved (the standard one is still untyped `rethrows`).
    func withRawBytes<T, Failure: Error>(
        _ body: (UnsafeRawBufferPointer) throws(Failure) -> T
    ) throws(Failure) -> T {
        try withUnsafeBytes { raw in Result { () throws(Failure) -> T in try body(raw) } }.get()
    }
}

/// Resolves the escapes of a validated string body; lone surrogates become U+FFFD because `String` cannot hold them.
package enum JSONUnescaper {
    static func unescape(_ raw: UnsafeRawBufferPointer, into out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var i = 0
        var n = 0
        while i < raw.count {
            let byte = raw[i]
            guard byte == UInt8(ascii: "\\"), i + 1 < raw.count else {
                out[n] = byte
                n += 1
                i += 1
                continue
            }
            let escape = raw[i + 1]
            i += 2
            switch escape {
            case UInt8(ascii: "b"): out[n] = 0x08
            case UInt8(ascii: "f"): out[n] = 0x0C
            case UInt8(ascii: "n"): out[n] = 0x0A
            case UInt8(ascii: "r"): out[n] = 0x0D
            case UInt8(ascii: "t"): out[n] = 0x09
            case UInt8(ascii: "u"):
                n += appendUTF8(scalar(raw, at: &i), to: out, at: n)
                continue
            default: out[n] = escape  // `"`, `\`, `/`
            }
            n += 1
        }
        return n
    }

    /// Reads the four hex digits at `i` (just past `\u`), joining a following low surrogate escape when present.
    private static func scalar(_ raw: UnsafeRawBufferPointer, at i: inout Int) -> UInt32 {
        let unit = hex4(raw, at: i)
        i += 4
        switch unit {
        case 0xD800...0xDBFF:
            guard i + 6 <= raw.count, raw[i] == UInt8(ascii: "\\"), raw[i + 1] == UInt8(ascii: "u") else {
                return 0xFFFD
            }
            let low = hex4(raw, at: i + 2)
            guard (0xDC00...0xDFFF).contains(low) else { return 0xFFFD }
            i += 6
            return 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
        case 0xDC00...0xDFFF:
            return 0xFFFD
        default:
            return unit
        }
    }

    private static func hex4(_ raw: UnsafeRawBufferPointer, at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in i..<min(i + 4, raw.count) {
            value = value << 4 | UInt32(JSONCursor.hexValue(raw[k]) ?? 0)
        }
        return value
    }

    private static func appendUTF8(_ scalar: UInt32, to out: UnsafeMutableBufferPointer<UInt8>, at n: Int) -> Int {
        switch scalar {
        case 0..<0x80:
            out[n] = UInt8(scalar)
            return 1
        case 0x80..<0x800:
            out[n] = UInt8(0xC0 | scalar >> 6)
            out[n + 1] = UInt8(0x80 | scalar & 0x3F)
            return 2
        case 0x800..<0x10000:
            out[n] = UInt8(0xE0 | scalar >> 12)
            out[n + 1] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[n + 2] = UInt8(0x80 | scalar & 0x3F)
            return 3
        default:
            out[n] = UInt8(0xF0 | scalar >> 18)
            out[n + 1] = UInt8(0x80 | scalar >> 12 & 0x3F)
            out[n + 2] = UInt8(0x80 | scalar >> 6 & 0x3F)
            out[n + 3] = UInt8(0x80 | scalar & 0x3F)
            return 4
        }
    }
}
