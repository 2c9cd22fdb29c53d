import BridgeHTTP
import Synchronization

/// Every secret value the bridge sends (each `--header` value and the tokens inside it, each query value of the
/// server URL, each OAuth access token), so that whatever a server echoes of them is masked before it reaches stderr or a bridge error.
///
/// The names-based rules of `Redaction` cannot see a secret inside a server's error body ("you sent Bearer …"):
/// only the values can. One process-wide set, because the log handler is bootstrapped (once, as swift-log allows)
/// before the flags that hold the secrets are expanded; values are added as configurations are made, never removed.
/// Values shorter than `minimumLength` are not masked: they would blank out ordinary words and say nothing secret.
public final class SecretValues: Sendable {
    public static let shared = SecretValues()
    static let minimumLength = 4
    /// Longest first, so a value that contains another is masked whole.
    private let values = Mutex<[String]>([])

    /// Adds the secrets of one configuration: header values (whole, each space-separated word, and each
    /// `name=value` value inside it, as in a `Cookie`) and the server URL's query values (as written and decoded).
    public func remember(headerValues: [String], serverURL: String) {
        var found = Set<String>()
        for value in headerValues {
            found.insert(value)
            for word in value.split(whereSeparator: { $0 == " " || $0 == "," }) {
                found.insert(String(word))
                for pair in word.split(separator: ";") {
                    if let equals = pair.firstIndex(of: "=") { found.insert(String(pair[pair.index(after: equals)...])) }
                }
            }
        }
        if let question = serverURL.firstIndex(of: "?") {
            let query = serverURL[serverURL.index(after: question)...].prefix { $0 != "#" }
            for pair in query.split(separator: "&") {
                guard let equals = pair.firstIndex(of: "=") else { continue }
                let value = pair[pair.index(after: equals)...]
                found.insert(String(value))
                found.insert(Self.percentDecoded(value))
            }
        }
        let usable = found.filter { $0.utf8.count >= Self.minimumLength }
        guard !usable.isEmpty else { return }
        values.withLock { values in
            values = Array(Set(values).union(usable)).sorted { $0.utf8.count > $1.utf8.count }
        }
    }

    /// Adds a token the bridge obtained itself (an OAuth access token), as it is put on a request: a lookup when
    /// it is already known, which is every request but the first after a sign-in or refresh.
    public func remember(token: String) {
        guard token.utf8.count >= Self.minimumLength else { return }
        values.withLock { values in
            guard !values.contains(token) else { return }
            values.append(token)
            values.sort { $0.utf8.count > $1.utf8.count }
        }
    }

    /// `text` with every remembered value replaced by `***`.
    public func redact(_ text: String) -> String {
        let secrets = values.withLock { $0 }
        guard !secrets.isEmpty else { return text }
        var result = text
        for secret in secrets where result.contains(secret) {
            result = result.replacing(secret, with: Redaction.redactedURLPart)
        }
        return result
    }

    private static func percentDecoded(_ text: Substring) -> String {
        var bytes: [UInt8] = []
        var utf8 = text.utf8[...]
        while let byte = utf8.popFirst() {
            if byte == UInt8(ascii: "%"), utf8.count >= 2,
               let value = UInt8(String(decoding: utf8.prefix(2), as: UTF8.self), radix: 16) {
                bytes.append(value)
                utf8 = utf8.dropFirst(2)
            } else {
                bytes.append(byte == UInt8(ascii: "+") ? UInt8(ascii: " ") : byte)
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
