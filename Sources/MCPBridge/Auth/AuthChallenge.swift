/// A `WWW-Authenticate: Bearer ...` challenge (RFC 6750 §3, RFC 9728 §5.1): where the server's protected resource
/// metadata is, which scopes it asks for, and why it refused (`invalid_token`, `insufficient_scope`).
struct AuthChallenge: Sendable, Equatable {
    var resourceMetadata: String?
    var scope: String?
    var error: String?

    /// The Bearer challenge's parameters; nil when the header holds no Bearer challenge.
    init?(header: String) {
        var rest = Substring(header)
        var found = false
        while !rest.isEmpty {
            Self.skip(&rest, while: { $0 == " " || $0 == "," || $0 == "\t" })
            let scheme = Self.token(&rest)
            guard !scheme.isEmpty else { break }
            let isBearer = scheme.lowercased() == "bearer"
            found = found || isBearer
            for (name, value) in Self.parameters(&rest) where isBearer {
                switch name.lowercased() {
                case "resource_metadata": resourceMetadata = value
                case "scope": scope = value
                case "error": error = value
                default: break
                }
            }
            if isBearer { break }
        }
        guard found else { return nil }
    }

    /// `name=value` or `name="quoted"` pairs up to the next scheme (a token not followed by `=`).
    private static func parameters(_ rest: inout Substring) -> [(String, String)] {
        var pairs: [(String, String)] = []
        while true {
            skip(&rest, while: { $0 == " " || $0 == "," || $0 == "\t" })
            let saved = rest
            let name = token(&rest)
            skip(&rest, while: { $0 == " " })
            guard !name.isEmpty, rest.first == "=" else {
                rest = saved
                return pairs
            }
            rest.removeFirst()
            skip(&rest, while: { $0 == " " })
            pairs.append((name, rest.first == "\"" ? quoted(&rest) : token(&rest)))
        }
    }

    private static func token(_ rest: inout Substring) -> String {
        let end = rest.firstIndex { $0 == " " || $0 == "," || $0 == "=" || $0 == "\t" || $0 == "\"" } ?? rest.endIndex
        defer { rest = rest[end...] }
        return String(rest[..<end])
    }

    private static func quoted(_ rest: inout Substring) -> String {
        rest.removeFirst()
        var value = ""
        while let character = rest.first {
            rest.removeFirst()
            if character == "\"" { break }
            if character == "\\", let next = rest.first {
                rest.removeFirst()
                value.append(next)
            } else {
                value.append(character)
            }
        }
        return value
    }

    private static func skip(_ rest: inout Substring, while predicate: (Character) -> Bool) {
        while let first = rest.first, predicate(first) { rest.removeFirst() }
    }
}
