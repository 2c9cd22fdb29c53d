/// A server URL that has passed ``URLPolicy``: normalised, free of credentials and fragments, ready to hand to the
/// HTTP layer.
///
/// Scheme and host are lowercased and a port equal to the scheme's default is dropped, so two spellings of the same
/// endpoint compare equal and `origin` matches what servers compare against for same-origin checks (the SSE
/// `endpoint` event, redirects that must shed `Authorization`).
public struct ServerURL: Sendable, Hashable, CustomStringConvertible {
    /// The two schemes the bridge can speak.
    public enum Scheme: String, Sendable, Hashable {
        case http
        case https

        /// The port used when the URL names none.
        public var defaultPort: Int {
            switch self {
            case .http: 80
            case .https: 443
            }
        }
    }

    public let scheme: Scheme
    /// Lowercased host as it appears in a URL: a DNS name, a dotted quad, or an IPv6 literal *with* its brackets
    /// (`[::1]`), so it can be pasted back into a URL without further thought.
    public let host: String
    /// The explicit port, or `nil` when the URL gave none or gave the scheme's default.
    public let port: Int?
    /// The path exactly as given (percent-escapes preserved, non-ASCII bytes percent-encoded); `/` when empty.
    public let path: String
    /// The query without its `?`, or `nil` when there was none. It may hold secrets: log it only via `Redaction`.
    public let query: String?
    /// Whether `host` names this machine without consulting DNS (see ``URLPolicy``).
    public let isLoopback: Bool

    /// `scheme://host[:port]`, the unit of same-origin comparisons.
    public var origin: String {
        if let port { return "\(scheme.rawValue)://\(host):\(port)" }
        return "\(scheme.rawValue)://\(host)"
    }

    /// The request target sent on the request line: the path plus `?query` when present.
    public var requestTarget: String {
        if let query { return "\(path)?\(query)" }
        return path
    }

    /// The full URL to request; never contains userinfo or a fragment.
    public var absoluteString: String { origin + requestTarget }

    /// Safe to log: secret-looking query values are masked.
    public var description: String { Redaction.redactURL(absoluteString) }

    /// Internal so that `isLoopback` can only come from the parser, which is what makes it trustworthy.
    package init(scheme: Scheme, host: String, port: Int?, path: String, query: String?, isLoopback: Bool) {
        self.scheme = scheme
        self.host = host
        self.port = port == scheme.defaultPort ? nil : port
        self.path = path.isEmpty ? "/" : path
        self.query = query
        self.isLoopback = isLoopback
    }
}
