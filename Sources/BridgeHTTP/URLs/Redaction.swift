/// Turns URLs that may carry credentials into text that is safe to write to stderr.
///
/// Desktop hosts keep stderr in log files that users paste into bug reports, so anything that can authenticate
/// (tokens, signed-URL signatures, OAuth codes) must never reach it. Header values are simply never logged; URLs
/// are, so their secret parts are masked. The rules match on names rather than values because a secret's shape is
/// unknowable; over-redacting a harmless value costs a little debugging comfort, under-redacting costs an account.
public enum Redaction {
    /// What hidden userinfo and query values are replaced with (short, and valid inside a URL).
    public static let redactedURLPart = "***"

    /// Query (and fragment) parameters whose lowercased name *is* one of these are hidden.
    private static let sensitiveParameterNames: Set<String> = ["sig", "code", "pwd", "pass", "state"]
    /// Query parameters whose lowercased name contains one of these are hidden (`access_token`, `X-Amz-Signature`).
    private static let sensitiveParameterWords = [
        "token", "secret", "password", "passwd", "key", "signature", "credential", "auth", "session", "verifier",
    ]

    /// `url` with any userinfo replaced by `***` and secret-looking query or fragment parameter values by `***`.
    ///
    /// Works on text, not on a parsed URL, so it also cleans URLs that failed validation.
    public static func redactURL(_ url: String) -> String {
        var rest = Substring(url)
        var result = ""
        if let separator = rest.firstRange(of: "://") {
            result += rest[..<separator.upperBound]
            rest = rest[separator.upperBound...]
            let authorityEnd = rest.firstIndex { "/?#".contains($0) } ?? rest.endIndex
            if let at = rest[..<authorityEnd].lastIndex(of: "@") {
                result += redactedURLPart + "@"
                rest = rest[rest.index(after: at)...]
            }
        }
        let fragmentStart = rest.firstIndex(of: "#")
        let beforeFragment = rest[..<(fragmentStart ?? rest.endIndex)]
        if let question = beforeFragment.firstIndex(of: "?") {
            result += beforeFragment[...question]
            result += redactParameters(beforeFragment[beforeFragment.index(after: question)...])
        } else {
            result += beforeFragment
        }
        if let fragmentStart {
            // OAuth implicit-flow style fragments (`#access_token=...`) are parameter lists too.
            result += "#" + redactParameters(rest[rest.index(after: fragmentStart)...])
        }
        return result
    }

    /// Redacts the values of `name=value` pairs separated by `&`; anything else passes through unchanged.
    private static func redactParameters(_ parameters: Substring) -> String {
        let pairs = parameters.split(separator: "&", omittingEmptySubsequences: false).map { pair -> String in
            guard let equals = pair.firstIndex(of: "=") else { return String(pair) }
            let name = percentDecoded(pair[..<equals]).lowercased()
            guard isSensitiveParameter(name) else { return String(pair) }
            return String(pair[..<equals]) + "=" + redactedURLPart
        }
        return pairs.joined(separator: "&")
    }

    private static func isSensitiveParameter(_ lowercasedName: String) -> Bool {
        sensitiveParameterNames.contains(lowercasedName)
            || sensitiveParameterWords.contains { lowercasedName.contains($0) }
    }

    /// Decodes `%XX` escapes so `access%5Ftoken` cannot slip past the name rules; invalid escapes stay as they are.
    private static func percentDecoded(_ text: Substring) -> String {
        guard text.contains("%") || text.contains("+") else { return String(text) }
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
                let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16)
            {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
