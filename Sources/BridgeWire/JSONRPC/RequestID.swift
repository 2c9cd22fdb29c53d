/// A JSON-RPC request id: what a server's echo must match, and the exact text the sender wrote, for the answer.
///
/// Equality is what a server's echo preserves, nothing looser:
/// - numbers compare by their literal text, so `1` and `1.0` (or `1e0`) are *different* ids — the bridge never
///   does arithmetic on ids, and a server echoing the literal keeps the distinction;
/// - strings compare by their decoded value, byte for byte in UTF-8 (`"\u0041"` equals `"A"`, but precomposed `é`
///   does not equal `e` + U+0301, unlike `String ==`, which would merge two distinct ids);
/// - a string holding a lone surrogate escape (`"\ud800"`, which no `String` can hold) compares by a key that keeps
///   each lone surrogate distinct, so `"\ud800"`, `"\udc00"` and `"\ufffd"` are three ids;
/// - a number never equals a string (`1` ≠ `"1"`).
///
/// `json` is the id's text as it was written when the id was read from a message (the host's exact bytes, which
/// its answer must carry whatever the server echoes), or the bridge's own encoding for an id it made.
public struct RequestID: Hashable, Sendable, CustomStringConvertible {
    private enum Kind: UInt8 {
        case number, string, lossyString
    }

    private let kind: Kind
    /// What equality compares: a number's literal, a string's decoded value, or a lossy string's key (see above).
    private let key: String
    /// JSON text for this id: as written, for an id read from a message.
    public let json: String

    private init(kind: Kind, key: String, json: String) {
        self.kind = kind
        self.key = key
        self.json = json
    }

    /// The number literal exactly as written, e.g. `1`, `-5`, `1.5e3`.
    public static func number(_ literal: String) -> RequestID {
        RequestID(kind: .number, key: literal, json: literal)
    }

    /// A string id the bridge makes, encoded with `"`, `\` and every control character escaped.
    public static func string(_ value: String) -> RequestID {
        RequestID(kind: .string, key: value, json: JSONString.quote(value))
    }

    /// The id whose validated JSON text (a string with its quotes, or a number) is `range`; nil for other kinds.
    package init?(_ kind: JSONValueKind, at range: Range<Int>, in bytes: UnsafeRawBufferPointer) {
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
        switch kind {
        case .number:
            self.init(kind: .number, key: text, json: text)
        case .string:
            let body = range.lowerBound + 1..<range.upperBound - 1
            let escaped = bytes[body].contains(UInt8(ascii: "\\"))
            let value = JSONScanner.decodeStringBody(body, escaped: escaped, in: bytes)
            if escaped, value.utf8.contains(0xEF), let lossless = JSONUnescaper.losslessKey(
                UnsafeRawBufferPointer(rebasing: bytes[body])) {
                self.init(kind: .lossyString, key: lossless, json: text)
            } else {
                self.init(kind: .string, key: value, json: text)
            }
        default:
            return nil
        }
    }

    public var description: String { json }

    /// Whether `echo`, an id a server sent back, names this id: an equal one, or, for an id with a lone surrogate,
    /// its text with each lone surrogate replaced by U+FFFD (how a server that decodes ids into strings echoes it).
    public func isEchoed(by echo: RequestID?) -> Bool {
        guard let echo else { return false }
        if self == echo { return true }
        guard kind == .lossyString, echo.kind == .string else { return false }
        let text = Array(json.utf8)
        let decoded = text.withUnsafeBytes { JSONScanner.decodeStringBody(1..<text.count - 1, escaped: true, in: $0) }
        return decoded.utf8.elementsEqual(echo.key.utf8)
    }

    public static func == (lhs: RequestID, rhs: RequestID) -> Bool {
        lhs.kind == rhs.kind && lhs.key.utf8.elementsEqual(rhs.key.utf8)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(kind.rawValue)
        var text = key
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

extension JSONUnescaper {
    /// For a string body holding a lone surrogate escape: the decoded value with each lone surrogate written as
    /// U+FFFD and its four hex digits, and each real U+FFFD as U+FFFD and "----", so two bodies share a key only
    /// when they are the same sequence of UTF-16 code units. Nil when the body holds no lone surrogate.
    static func losslessKey(_ raw: UnsafeRawBufferPointer) -> String? {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count + 8)
        var lossy = false
        var i = 0
        let replacement: [UInt8] = [0xEF, 0xBF, 0xBD]
        while i < raw.count {
            if raw[i] == 0xEF, i + 2 < raw.count, raw[i + 1] == 0xBF, raw[i + 2] == 0xBD {
                out += replacement + Array("----".utf8)
                i += 3
                continue
            }
            guard raw[i] == UInt8(ascii: "\\"), i + 1 < raw.count else {
                out.append(raw[i])
                i += 1
                continue
            }
            guard raw[i + 1] == UInt8(ascii: "u"), i + 6 <= raw.count else {
                // Any other escape: decode it alone.
                let length = 2
                out += decodedBytes(UnsafeRawBufferPointer(rebasing: raw[i..<i + length]))
                i += length
                continue
            }
            let unit = hexValue(raw, at: i + 2)
            let pairsWithNext = (0xD800...0xDBFF).contains(unit) && i + 12 <= raw.count
                && raw[i + 6] == UInt8(ascii: "\\") && raw[i + 7] == UInt8(ascii: "u")
                && (0xDC00...0xDFFF).contains(hexValue(raw, at: i + 8))
            let length = pairsWithNext ? 12 : 6
            if (0xD800...0xDFFF).contains(unit), !pairsWithNext {
                lossy = true
                out += replacement + Array(String(unit, radix: 16).utf8)
            } else {
                let decoded = decodedBytes(UnsafeRawBufferPointer(rebasing: raw[i..<i + length]))
                out += decoded == replacement ? replacement + Array("----".utf8) : decoded
            }
            i += length
        }
        return lossy ? String(decoding: out, as: UTF8.self) : nil
    }

    private static func hexValue(_ raw: UnsafeRawBufferPointer, at i: Int) -> UInt32 {
        var value: UInt32 = 0
        for k in i..<min(i + 4, raw.count) {
            value = value << 4 | UInt32(JSONCursor.hexValue(raw[k]) ?? 0)
        }
        return value
    }

    private static func decodedBytes(_ escape: UnsafeRawBufferPointer) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: escape.count) { out, count in
            count = unescape(escape, into: out)
        }
    }
}
