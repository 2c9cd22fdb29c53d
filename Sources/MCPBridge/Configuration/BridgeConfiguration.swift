import BridgeHTTP

/// Everything the bridge needs to know, decided before any byte is sent.
///
/// A value type built once by the CLI (or a test) and never mutated afterwards, so every component can hold
/// its own copy without coordination.
public struct BridgeConfiguration: Sendable {
    /// The remote MCP endpoint (Streamable HTTP, or the 2024-11-05 SSE URL).
    public var serverURL: String
    /// Extra request headers, already expanded from `${VAR}` templates; sent on every request.
    public var headers: [HTTPHeader]
    /// Maximum time to establish a TCP/TLS connection.
    public var connectTimeout: Duration
    /// Per-request ceiling; `nil` means a request may run as long as the server keeps it open.
    public var requestTimeout: Duration?
    /// How long to wait for in-flight requests after stdin ends before giving up on them.
    public var drainTimeout: Duration
    /// How many times a failed request may be re-sent (see `RetryPolicy` for which failures qualify).
    public var retries: Int
    /// Total time a request may spend in retries before its last error is returned.
    public var retryBudget: Duration
    /// Most host requests relayed at once; further requests wait (never dropped).
    public var maxInFlight: Int
    /// Largest single message accepted in either direction.
    public var maxMessageBytes: Int
    /// Tools hidden from the host (`--ignore-tool`), matched case-insensitively with `*` wildcards.
    public var ignoredTools: [String]
    /// Certificate checks; verification is on unless the user explicitly turns it off.
    public var tls: TLSOptions
    /// Honour `http_proxy`/`https_proxy`/`no_proxy` from the environment (`--enable-proxy`); off by default, as in
    /// mcp-remote, so a stray proxy variable cannot silently reroute MCP traffic.
    public var useEnvironmentProxy: Bool
    /// `User-Agent` sent on every request.
    public var userAgent: String
    /// `--compressed`: ask for compressed replies. Off by default: on loopback or a LAN decoding cost more CPU and time
    /// than the bytes saved (measured: Benchmarks/transport_options.py); worth it for large replies over slow links.
    public var compressedReplies = false
    /// `--http1.1`, `--http2`; `auto` is libcurl's default (h2 by ALPN over https).
    public var httpVersion: HTTPVersionPreference = .auto
    /// Streamable HTTP, the 2024-11-05 HTTP+SSE transport, or one falling back to the other (`--transport`).
    public var transport: TransportStrategy
    /// Which MCP era to speak to the server (`--protocol`); hosts of the other era are translated.
    public var protocolMode: ProtocolMode = .auto
    /// Sign-in for servers that answer 401 (nil: off). Ignored when `headers` carry an `Authorization` of the user's.
    public var oauth: OAuthOptions?
    /// `--aws-sigv4`: sign every request with AWS Signature Version 4 (nil: off).
    public var awsSigning: AWSSigningConfiguration?
    /// W3C `traceparent` on each POST (`--no-traceparent` turns it off): the host's, else a generated one.
    public var sendsTraceparent = true
    /// What the bridge reports about the requests it relays (`--debug` timings, `--stats`, `--exit-status`).
    public var reporting = ReportingOptions()
    /// `--ordered`: answers written in the order of the requests (`AnswerOrder`).
    public var ordered = false

    public init(
        serverURL: String,
        headers: [HTTPHeader] = [],
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration? = nil,
        drainTimeout: Duration = .seconds(30),
        retries: Int = 4,
        retryBudget: Duration = .seconds(30),
        maxInFlight: Int = 256,
        maxMessageBytes: Int = 64 << 20,
        ignoredTools: [String] = [],
        tls: TLSOptions = TLSOptions(),
        useEnvironmentProxy: Bool = false,
        userAgent: String = "mcp-bridge/\(BridgeVersion.current)",
        transport: TransportStrategy = .httpFirst
    ) {
        self.serverURL = serverURL
        self.headers = headers
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.drainTimeout = drainTimeout
        self.retries = retries
        self.retryBudget = retryBudget
        self.maxInFlight = maxInFlight
        self.maxMessageBytes = maxMessageBytes
        self.ignoredTools = ignoredTools
        self.tls = tls
        self.useEnvironmentProxy = useEnvironmentProxy
        self.userAgent = userAgent
        self.transport = transport
    }
}
