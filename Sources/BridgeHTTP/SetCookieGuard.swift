import CCurl

/// Keeps a server's cookie with bytes outside printable ASCII out of the shared jar, so it is never sent back in
/// a `Cookie` header (libcurl itself drops cookies with control bytes, but keeps CR-free non-ASCII ones).
///
/// libcurl stores a cookie before the header callback sees its line, so the jar is cleared (every cookie: the
/// server that sent one such cookie is not trusted with the others) and the exchange fails in words.
package enum SetCookieGuard {
    /// Why `name: value` must not be kept, or nil: a `Set-Cookie` whose value has a byte outside 0x20…0x7E
    /// (visible ASCII, and the spaces its attributes are separated by).
    package static func refusal(name: String, value: String) -> String? {
        guard name.utf8.count == 10, name.lowercased() == "set-cookie" else { return nil }
        guard let bad = value.utf8.first(where: { $0 &- 0x20 >= 0x5F }) else { return nil }
        return "the server set a cookie holding a byte outside visible ASCII (0x"
            + String(bad, radix: 16, uppercase: true) + "); mcp-bridge cleared its cookie jar and refused the response "
            + "rather than send the cookie back: fix the server's Set-Cookie"
    }

    /// Empties the jar shared by every handle (under the share's lock, so from any transfer's callback).
    static func clearJar(_ handle: UnsafeMutableRawPointer) {
        _ = ccurl_easy_setopt_string(handle, CURLOPT_COOKIELIST, "ALL")
    }
}
