import BridgeHTTP
import BridgeWire

/// What a dry run must not print: credential values found in an entry's `args` (`--header` values of
/// credential-bearing headers), its `env` values, and secret URL parts. Matching is by value, like the relay's
/// `SecretValues`, because the preview is text cut from the file.
package struct SecretMask: Sendable {
    package static let mask = "***"
    /// Secret text and what stands for it in the preview.
    private var replacements: [String: String] = [:]

    package init() {}

    /// Header names whose value authenticates; any name with one of these words counts (`X-Api-Key`).
    private static let credentialWords = ["authorization", "cookie", "token", "secret", "key", "auth", "password"]

    package static func isCredentialHeader(_ name: String) -> Bool {
        let lowered = name.lowercased()
        return credentialWords.contains { lowered.contains($0) }
    }

    /// Remembers the secrets in a command line: `--header 'Name: value'` values of credential headers (a pure
    /// `${VAR}` reference is not a secret) and secret query values of URLs.
    package mutating func remember(arguments: [String]) {
        var index = 0
        while index < arguments.count {
            let argument = arguments[index]
            if argument == "--header", index + 1 < arguments.count {
                rememberHeader(arguments[index + 1])
                index += 1
            } else if argument.hasPrefix("--header=") {
                rememberHeader(String(argument.dropFirst("--header=".count)))
            } else if argument.contains("://") {
                rememberURL(argument)
            }
            index += 1
        }
    }

    /// Every `env` value is treated as secret: that is where the advice puts credentials.
    package mutating func remember(environmentValues values: [String]) {
        for value in values where value.count >= 4 { replacements[value] = Self.mask }
    }

    private mutating func rememberHeader(_ header: String) {
        guard let colon = header.firstIndex(of: ":"), Self.isCredentialHeader(String(header[..<colon])) else { return }
        let value = header[header.index(after: colon)...].drop { $0 == " " || $0 == "\t" }
        guard !value.isEmpty, !value.allSatisfy({ $0 == "*" }) else { return }
        let secret = value.split(separator: " ", maxSplits: 1).count == 2
            ? String(value.split(separator: " ", maxSplits: 1)[1]) : String(value)  // keep "Bearer" visible
        if !secret.hasPrefix("${") || !secret.hasSuffix("}") { replacements[secret] = Self.mask }
    }

    /// A URL with a secret part (userinfo, `?api_key=`) is shown as `Redaction` writes it in logs.
    private mutating func rememberURL(_ url: String) {
        let redacted = Redaction.redactURL(url)
        if redacted != url { replacements[url] = redacted }
    }

    /// `text` with every remembered secret masked, longest first so a secret inside another is covered.
    package func apply(_ text: String) -> String {
        var result = text
        for (secret, shown) in replacements.sorted(by: { $0.key.count > $1.key.count }) {
            result = result.replacing(secret, with: shown)
            let escaped = JSONStringEscaping.escaped(secret)
            if escaped != secret { result = result.replacing(escaped, with: JSONStringEscaping.escaped(shown)) }
        }
        return result
    }
}

/// A secret as it appears inside a JSON string in the file (quotes and backslashes escaped).
private enum JSONStringEscaping {
    static func escaped(_ text: String) -> String {
        String(JSONString.quote(text).dropFirst().dropLast())
    }
}
