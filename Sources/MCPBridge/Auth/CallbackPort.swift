import Crypto

/// The loopback callback port when the user names none and no registration remembers one: derived from the server
/// URL, so every run (and every copy) for one server redirects to the same URI — authorization servers that match
/// redirect URIs exactly, port included, keep accepting the stored registration. In the dynamic range (49152–65535),
/// away from the ports services listen on; a busy one is reported with what to pass instead.
enum CallbackPort {
    static let range = 49152...65535

    static func derived(for server: String) -> Int {
        let digest = SHA256.hash(data: Array(server.utf8))
        let value = digest.prefix(4).reduce(0) { $0 << 8 | Int($1) }
        return range.lowerBound + value % range.count
    }
}
