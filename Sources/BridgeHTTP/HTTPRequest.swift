/// One HTTP exchange the bridge wants libcurl to perform.
///
/// A plain value so it can cross from the async world into the driver thread without sharing anything.
package struct HTTPRequest: Sendable {
    package enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case delete = "DELETE"
        /// Only for AWS's instance metadata token (IMDSv2); sent with an empty body.
        case put = "PUT"
    }

    package var method: Method
    package var url: String
    /// Request signing (AWS SigV4) reads the whole request and adds its headers.
    package var headers: [HTTPHeader]
    package var body: [UInt8]
    /// Time allowed to establish the connection (TCP + TLS).
    var connectTimeout: Duration
    /// Ceiling for the whole exchange; `nil` lets a stream stay open as long as the server keeps it alive.
    package var totalTimeout: Duration?
    var tls: TLSOptions
    package var useEnvironmentProxy = false
    /// Open a new connection instead of reusing one (retries).
    package var freshConnection = false
    /// `--compressed`: send `Accept-Encoding` with every encoding libcurl supports and decode the reply.
    package var acceptCompressed = false
    /// `--http1.1` / `--http2`.
    package var httpVersion = HTTPVersionPreference.auto
    /// The largest reply body the consumer will collect (`--max-message-bytes`): a declared length up to this is
    /// reserved at once (see `Transfer.reserveForDeclaredLength`); 0 reserves nothing.
    package var expectedBodyLimit = 0

    package init(
        method: Method,
        url: String,
        headers: [HTTPHeader],
        body: [UInt8] = [],
        connectTimeout: Duration,
        totalTimeout: Duration? = nil,
        tls: TLSOptions = TLSOptions()
    ) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.connectTimeout = connectTimeout
        self.totalTimeout = totalTimeout
        self.tls = tls
    }
}
