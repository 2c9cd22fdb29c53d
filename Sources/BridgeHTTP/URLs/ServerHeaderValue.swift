/// A value a server chose that the bridge sends back in a request header: `Mcp-Session-Id` (every later request),
/// an SSE event id (`Last-Event-ID` on a resume).
///
/// The spec allows visible ASCII only (0x21–0x7E). Anything else is refused, not cleaned: a CR or LF would let the
/// server inject headers into the bridge's own requests, other controls and non-ASCII bytes break proxies, and a
/// silently altered value would name a different session or stream. Cookies are libcurl's: its jar drops cookies
/// with control bytes (checked by `HostilePeerTests`).
package enum ServerHeaderValue {
    /// Whether `value` may be sent as is: non-empty, every byte in 0x21…0x7E.
    package static func isAllowed(_ value: String) -> Bool {
        !value.utf8.isEmpty && value.utf8.allSatisfy { $0 &- 0x21 < 0x5E }
    }

    /// What is wrong with `value`, without echoing it (it may be a secret, and its bytes could corrupt a log line).
    package static func describe(_ value: String) -> String {
        guard !value.utf8.isEmpty else { return "empty" }
        let bad = value.utf8.first { $0 &- 0x21 >= 0x5E } ?? 0
        return "\(value.utf8.count) bytes, the first not allowed is 0x\(String(bad, radix: 16, uppercase: true))"
    }
}
