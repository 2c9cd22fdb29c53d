import Crypto

/// The loopback callback ports the bridge may choose when neither the user (mcp-remote's positional port) nor a client
/// metadata document fixes one: derived from the server URL, so every run (and every copy) for one server redirects
/// to the same URI — authorization servers that match redirect URIs exactly, port included, keep accepting the stored
/// registration.
///
/// In 20000–29999: below every common ephemeral range (Linux 32768–60999, macOS and Windows 49152–65535), where an
/// outgoing connection of any program on the machine could hold a derived port at the moment of a sign-in (CI saw
/// exactly that). Should a derived port still be busy, the next of a few candidates is tried; a registration made for
/// another port is then replaced by a new one (dynamic registration), so a busy port costs a registration, not the
/// sign-in.
enum CallbackPort {
    static let range = 20000...29999
    static let candidateCount = 8

    /// The server's ports in the order they are tried; the first is the one a registration normally keeps.
    static func candidates(for server: String) -> [Int] {
        (0..<candidateCount).map { attempt in
            let digest = SHA256.hash(data: Array((attempt == 0 ? server : "\(server)#\(attempt)").utf8))
            let value = digest.prefix(4).reduce(0) { $0 << 8 | Int($1) }
            return range.lowerBound + value % range.count
        }
    }

    static func derived(for server: String) -> Int { candidates(for: server)[0] }
}
