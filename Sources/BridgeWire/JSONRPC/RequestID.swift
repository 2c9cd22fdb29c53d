/// A JSON-RPC request id, kept in the form the server will echo back so responses can be matched to requests.
///
/// Equality is what a server's echo preserves, nothing looser:
/// - numbers compare by their literal text, so `1` and `1.0` (or `1e0`) are *different* ids — the bridge never
///   does arithmetic on ids, and a server echoing the literal keeps the distinction;
/// - strings compare by their decoded value, byte for byte in UTF-8 (`"\u0041"` equals `"A"`, but precomposed `é`
///   does not equal `e` + U+0301, unlike `String ==`, which would merge two distinct ids);
/// - a number never equals a string (`1` ≠ `"1"`).
///
/// Limitation: a string id holding a lone surrogate escape decodes with U+FFFD, so two such ids may collide.
public enum RequestID: Hashable, Sendable, CustomStringConvertible {
    /// The number literal exactly as written, e.g. `1`, `-5`, `1.5e3`.
    case number(String)
    /// The decoded string value.
    case string(String)

    /// JSON text for this id, to embed in an error response the bridge writes itself.
    ///
    /// Numbers are the literal verbatim; strings are re-encoded with `"`, `\` and every control character escaped
    /// (controls as `\uXXXX`), and everything else left as UTF-8.
    public var json: String {
        switch self {
        case .number(let literal):
            return literal
        case .string(let value):
            return JSONString.quote(value)
        }
    }

    public var description: String { json }

    public static func == (lhs: RequestID, rhs: RequestID) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)), (.string(let a), .string(let b)):
            return a.utf8.elementsEqual(b.utf8)
        default:
            return false
        }
    }

    public func hash(into hasher: inout Hasher) {
        var text: String
        switch self {
        case .number(let literal):
            hasher.combine(0 as UInt8)
            text = literal
        case .string(let value):
            hasher.combine(1 as UInt8)
            text = value
        }
        text.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
