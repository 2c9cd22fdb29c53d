import BridgeHTTP
import Logging

/// The remote MCP endpoint: turns "send this message" into an HTTP request with the headers its era requires,
/// and sends it through the process's one `Pipeline`.
struct RemoteEndpoint: Sendable {
    let configuration: BridgeConfiguration
    /// Where requests go: the configured URL until a same-origin redirect moves it (`RedirectMiddleware`).
    let location: EndpointLocation
    let http: Pipeline
    /// `--aws-sigv4`: the signer and its credentials (nil when off).
    let signing: AWSRequestSigning?

    init(configuration: BridgeConfiguration, driver: CurlDriver, logger: Logger) {
        self.configuration = configuration
        let location = EndpointLocation(configuration.serverURL)
        self.location = location
        let retry = RetryPolicy(maxRetries: configuration.retries, budget: configuration.retryBudget)
        let server = try? ServerURLParser.parse(configuration.serverURL)
        let signing = configuration.awsSigning.map {
            AWSRequestSigning($0, http: driver, proxied: configuration.useEnvironmentProxy, logger: logger)
        }
        self.signing = signing
        var oauth: OAuthSession?
        // SigV4 writes Authorization itself, as does a user's --header: either turns OAuth off.
        if let options = configuration.oauth, let server, signing == nil,
           !configuration.headers.contains(where: { $0.name.lowercased() == "authorization" }) {
            let direct = OAuthHTTP(client: LoggingMiddleware(next: TransportFailureMiddleware(next: driver), logger: logger),
                                   configuration: configuration)
            oauth = OAuthSession(http: direct, server: server, options: options, logger: logger)
        }
        http = Pipeline(driver: driver, location: location, retry: retry, oauth: oauth,
                        origin: server?.origin ?? configuration.serverURL, signing: signing, logger: logger)
    }

    /// Sends `request` through the pipeline; `reading` consumes the response (see `HTTPClient`).
    @inline(__always)
    func send<Reply>(
        _ request: HTTPRequest, _ context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        try await http.send(request, context: context, reading: reading)
    }

    /// POSTs one JSON-RPC message (or a 2025-03-26 batch), with its W3C `traceparent` unless `--no-traceparent`
    /// (`TraceContext`; a user's `--header traceparent: …` wins like any user header).
    /// `extraHeaders` (the 2026-07-28 routing headers) replace any session-era header of the same name.
    func post(_ message: [UInt8], session: SessionState.Snapshot, extraHeaders: [HTTPHeader] = [],
              timeout: Duration? = nil, url: String? = nil) -> HTTPRequest {
        let extra = configuration.sendsTraceparent ? extraHeaders + TraceContext.headers(for: message) : extraHeaders
        var headers = protocolHeaders(session: session, extra: extra)
        headers.insert(HTTPHeader(name: HeaderName.accept, value: "application/json, text/event-stream"), at: 0)
        headers.insert(HTTPHeader(name: HeaderName.contentType, value: "application/json"), at: 1)
        var post = request(.post, headers: headers, body: message, timeout: timeout)
        if let url { post.url = url }
        return post
    }

    /// Opens (or resumes, with `lastEventID`) the server's SSE stream for server-initiated messages.
    func listen(session: SessionState.Snapshot, lastEventID: String?) -> HTTPRequest {
        var headers = protocolHeaders(session: session)
        headers.insert(HTTPHeader(name: HeaderName.accept, value: "text/event-stream"), at: 0)
        if let lastEventID { headers.append(HTTPHeader(name: HeaderName.lastEventID, value: lastEventID)) }
        return request(.get, headers: headers)
    }

    /// Ends the session on the server (405 means the server does not support it, which is fine).
    func delete(session: SessionState.Snapshot) -> HTTPRequest {
        // Bounded well inside a host's patience after stdin EOF (the SDKs send SIGTERM after 2 s).
        request(.delete, headers: protocolHeaders(session: session), timeout: .milliseconds(1500))
    }

    /// A GET of a health URL beside the endpoint (`check --health-url`), with the user's headers and TLS settings.
    func health(_ url: String) -> HTTPRequest {
        var get = request(.get, headers: configuration.headers, timeout: .seconds(10))
        get.url = url
        return get
    }

    /// Session and version headers, then `extra`, then the user's headers; each later group replaces earlier
    /// headers of the same name.
    private func protocolHeaders(session: SessionState.Snapshot, extra: [HTTPHeader] = []) -> [HTTPHeader] {
        var headers = [HTTPHeader(name: HeaderName.userAgent, value: configuration.userAgent)]
        if let id = session.sessionID { headers.append(HTTPHeader(name: HeaderName.sessionID, value: id)) }
        if let version = session.protocolVersion {
            headers.append(HTTPHeader(name: HeaderName.protocolVersion, value: version))
        }
        return Self.merge(Self.merge(headers, extra), configuration.headers)
    }

    private static func merge(_ base: [HTTPHeader], _ overrides: [HTTPHeader]) -> [HTTPHeader] {
        guard !overrides.isEmpty else { return base }
        let replaced = Set(overrides.map { $0.name.lowercased() })
        return base.filter { !replaced.contains($0.name.lowercased()) } + overrides
    }

    private func request(
        _ method: HTTPRequest.Method, headers: [HTTPHeader], body: [UInt8] = [], timeout: Duration? = nil
    ) -> HTTPRequest {
        var request = HTTPRequest(
            method: method,
            url: location.current,
            headers: headers,
            body: body,
            connectTimeout: configuration.connectTimeout,
            totalTimeout: timeout,
            tls: configuration.tls
        )
        request.useEnvironmentProxy = configuration.useEnvironmentProxy
        request.acceptCompressed = configuration.compressedReplies
        request.httpVersion = configuration.httpVersion
        request.expectedBodyLimit = configuration.maxMessageBytes
        return request
    }
}
