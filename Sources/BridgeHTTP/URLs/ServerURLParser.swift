/// Splits a server URL into the pieces ``ServerURL`` holds, following the WHATWG URL rules where they matter for
/// an `http(s)` endpoint (the authority ends at the first `/`, `?` or `#`; an empty port means the default) and
/// rejecting, rather than repairing, anything ambiguous.
///
/// The loopback decision lives here because it must be made on exactly the bytes that will be connected to: for
/// example `0127.0.0.1` is refused as a dotted quad since `getaddrinfo` would read the leading zero as octal and
/// connect to 87.0.0.1.
package enum ServerURLParser {
    package static func parse(_ input: String) throws(URLPolicyError) -> ServerURL {
        let text = trimmed(input)
        guard !text.isEmpty else { throw .notAbsolute }
        guard !text.unicodeScalars.contains(where: isForbiddenScalar) else { throw .invalidCharacters }

        guard let colon = text.firstIndex(of: ":") else { throw .notAbsolute }
        let schemeText = text[..<colon]
        guard isValidScheme(schemeText) else { throw .notAbsolute }
        var rest = text[text.index(after: colon)...]
        guard rest.hasPrefix("//") else { throw .notAbsolute }
        let schemeName = schemeText.lowercased()
        guard let scheme = ServerURL.Scheme(rawValue: schemeName) else { throw .unsupportedScheme(schemeName) }
        rest = rest.dropFirst(2)

        // The fragment is never sent to the server, so it is dropped rather than carried along.
        if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        let (host, isLoopback, port) = try parseAuthority(authority)

        let pathAndQuery = rest[authorityEnd...]
        var path = pathAndQuery
        var query: Substring?
        if let question = pathAndQuery.firstIndex(of: "?") {
            path = pathAndQuery[..<question]
            query = pathAndQuery[pathAndQuery.index(after: question)...]
        }
        return ServerURL(
            scheme: scheme,
            host: host,
            port: port,
            path: percentEncodingNonASCII(path),
            query: query.map(percentEncodingNonASCII),
            isLoopback: isLoopback
        )
    }

    /// Returns the normalised host, whether it is loopback, and the explicit port.
    private static func parseAuthority(_ authority: Substring) throws(URLPolicyError) -> (String, Bool, Int?) {
        guard !authority.contains("@") else { throw .credentialsInURL }
        let hostPart: Substring
        let portPart: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw .invalidHost }
            hostPart = authority[...close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || after.hasPrefix(":") else { throw .invalidHost }
            portPart = after.isEmpty ? nil : after.dropFirst()
        } else if let colon = authority.firstIndex(of: ":") {
            // More than one colon is an IPv6 address someone forgot to bracket.
            guard authority.lastIndex(of: ":") == colon else { throw .invalidHost }
            hostPart = authority[..<colon]
            portPart = authority[authority.index(after: colon)...]
        } else {
            hostPart = authority
            portPart = nil
        }
        guard !hostPart.isEmpty else { throw .missingHost }
        let (host, isLoopback) = try parseHost(hostPart)
        return (host, isLoopback, try parsePort(portPart))
    }

    private static func parseHost(_ text: Substring) throws(URLPolicyError) -> (String, Bool) {
        let host = text.lowercased()
        if host.hasPrefix("[") {
            guard let groups = IPv6Address.groups(of: host.dropFirst().dropLast()) else { throw .invalidHost }
            return (host, groups == IPv6Address.loopback)
        }
        guard isValidRegisteredName(host) else { throw .invalidHost }
        if host == "localhost" { return (host, true) }
        if let octets = dottedQuad(host) { return (host, octets[0] == 127) }
        return (host, false)
    }

    /// `nil` means "no port"; an empty port after `:` is also "no port", as in browsers.
    private static func parsePort(_ text: Substring?) throws(URLPolicyError) -> Int? {
        guard let text, !text.isEmpty else { return nil }
        guard text.count <= 5, text.allSatisfy(\.isASCIIDigit), let port = Int(text), (1...65535).contains(port) else {
            throw .invalidPort
        }
        return port
    }

    /// Letters, digits, `-`, `_` and dots between non-empty labels (one trailing dot allowed, as in DNS).
    private static func isValidRegisteredName(_ host: String) -> Bool {
        let body = host.hasSuffix(".") ? host.dropLast() : Substring(host)
        guard !body.isEmpty else { return false }
        let allowed = body.unicodeScalars.allSatisfy { isASCIIAlphanumeric($0) || "-_.".unicodeScalars.contains($0) }
        return allowed && !body.split(separator: ".", omittingEmptySubsequences: false).contains(where: \.isEmpty)
    }

    /// The four octets of a canonical dotted quad (decimal, no leading zeros), or `nil`.
    private static func dottedQuad(_ host: String) -> [Int]? {
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [Int] = []
        for part in parts {
            guard !part.isEmpty, part.count <= 3, part.allSatisfy(\.isASCIIDigit) else { return nil }
            guard part == "0" || !part.hasPrefix("0"), let value = Int(part), value <= 255 else { return nil }
            octets.append(value)
        }
        return octets
    }

    private static func isValidScheme(_ scheme: Substring) -> Bool {
        guard let first = scheme.unicodeScalars.first, isASCIIAlphanumeric(first), !("0"..."9").contains(first) else {
            return false
        }
        return scheme.unicodeScalars.allSatisfy { isASCIIAlphanumeric($0) || "+-.".unicodeScalars.contains($0) }
    }

    private static func isASCIIAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }

    private static func isForbiddenScalar(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value <= 0x20 || scalar.value == 0x7F || scalar.properties.isWhitespace
    }

    /// Hosts paste URLs with stray surrounding whitespace; browsers ignore it, so do we.
    private static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        guard let start = scalars.firstIndex(where: { !isForbiddenScalar($0) }),
            let end = scalars.lastIndex(where: { !isForbiddenScalar($0) })
        else { return "" }
        return String(scalars[start...end])
    }

    /// Non-ASCII bytes are not valid on the request line; encode them the way a browser would.
    private static func percentEncodingNonASCII(_ text: Substring) -> String {
        guard !text.utf8.allSatisfy({ $0 < 0x80 }) else { return String(text) }
        var result = ""
        for byte in text.utf8 {
            if byte < 0x80 {
                result.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                result += "%" + String(byte, radix: 16, uppercase: true)
            }
        }
        return result
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isWholeNumber }
}
