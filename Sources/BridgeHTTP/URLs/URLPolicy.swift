/// Decides whether a server URL may be used, before any connection is attempted.
///
/// Plain `http` would put the `--header` values (typically `Authorization`) and every MCP message on the wire
/// unencrypted, so it is accepted without `--allow-http` only when the host provably names this machine. The
/// loopback test is deliberately literal: `localhost`, a canonical `127.x.y.z` dotted quad, or the IPv6 loopback
/// address. Anything that needs DNS to be loopback (`localhost.example.com`, `127.0.0.1.nip.io`), and `0.0.0.0`
/// (which some stacks route to other interfaces), is treated as remote. Refusing a loopback host costs the user one
/// flag; accepting a remote one would leak their credentials.
///
/// Parsing is done by hand rather than with Foundation's `URL` so the rules are the same on every platform and each
/// failure can say exactly what is wrong. Error messages never repeat the URL's text: a mistyped URL can split a
/// password in unexpected places, so only validated pieces (scheme, host) are ever echoed.
public enum URLPolicy {
    /// Parses `url` and applies the scheme rule; throws with a message that says what the user should change.
    public static func check(_ url: String, allowHTTP: Bool) throws(URLPolicyError) -> ServerURL {
        let parsed = try ServerURLParser.parse(url)
        if parsed.scheme == .http, !parsed.isLoopback, !allowHTTP {
            throw .plainHTTPToRemoteHost(host: parsed.host)
        }
        return parsed
    }
}

/// Why a server URL was refused. Every description is a complete sentence telling the user what to do, and none
/// contains the URL's userinfo, query or any unvalidated fragment of it.
public enum URLPolicyError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Empty, relative, or missing the `//` that introduces a host.
    case notAbsolute
    /// Contains spaces or control characters, which would corrupt the request line.
    case invalidCharacters
    /// A scheme other than `http` or `https`.
    case unsupportedScheme(String)
    /// `user:password@` in the URL; credentials belong in a header.
    case credentialsInURL
    /// No host between `//` and the path.
    case missingHost
    /// A host with characters no DNS name or IP literal can contain (including non-ASCII names).
    case invalidHost
    /// A port that is not a number from 1 to 65535.
    case invalidPort
    /// Plain `http` to a host that is not loopback, without `--allow-http`.
    case plainHTTPToRemoteHost(host: String)

    public var description: String {
        switch self {
        case .notAbsolute:
            "server URL is not an absolute URL: expected something like https://example.com/mcp"
        case .invalidCharacters:
            "server URL contains spaces or control characters: percent-encode them (a space is %20)"
        case .unsupportedScheme(let scheme):
            "unsupported URL scheme \"\(scheme)\": the server URL must start with https:// "
                + "(or http:// for a local server)"
        case .credentialsInURL:
            "server URL contains a user name or password (***@): remove it and send credentials with a header instead, "
                + "e.g. --header \"Authorization: Basic ${CREDENTIALS}\""
        case .missingHost:
            "server URL has no host: expected something like https://example.com/mcp"
        case .invalidHost:
            "server URL has an invalid host name: use letters, digits, '-' and '.' "
                + "(write international names in their xn-- form), an IPv4 address, or an IPv6 address in [brackets]"
        case .invalidPort:
            "server URL has an invalid port: it must be a number from 1 to 65535"
        case .plainHTTPToRemoteHost(let host):
            "refusing plain http to non-loopback host \(host): use https, or add --allow-http to allow it "
                + "(traffic, including headers such as Authorization, will be unencrypted)"
        }
    }
}
