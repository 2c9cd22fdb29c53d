/// One HTTP exchange the bridge wants libcurl to perform.
///
/// A plain value so it can cross from the async world into the driver thread without sharing anything.
struct HTTPRequest: Sendable {
    enum Method: String, Sendable {
        case get = "GET"
        case post = "POST"
        case delete = "DELETE"
    }

    var method: Method
    var url: String
    var headers: [HTTPHeader]
    var body: [UInt8]
    /// Time allowed to establish the connection (TCP + TLS).
    var connectTimeout: Duration
    /// Ceiling for the whole exchange; `nil` lets a stream stay open as long as the server keeps it alive.
    var totalTimeout: Duration?
    var tls: TLSOptions
    var useEnvironmentProxy = false
    /// Open a new connection instead of reusing one (retries).
    var freshConnection = false
    /// `--compressed`: send `Accept-Encoding` with every encoding libcurl supports and decode the reply.
    var acceptCompressed = false
    /// `--http1.1` / `--http2`.
    var httpVersion = HTTPVersionPreference.auto
    /// The largest reply body the consumer will collect (`--max-message-bytes`): a declared length up to this is
    /// reserved at once (see `Transfer.reserveForDeclaredLength`); 0 reserves nothing.
    var expectedBodyLimit = 0

    init(
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

/// How the peer's certificate is checked. Verification is on unless a user explicitly asks otherwise.
public struct TLSOptions: Sendable, Hashable {
    public var verifyPeer: Bool
    /// A PEM bundle to trust instead of the system store.
    public var caBundlePath: String?
    /// Client certificate and key (PEM) for servers that require mutual TLS.
    public var clientCertificatePath: String?
    public var clientKeyPath: String?

    public init(verifyPeer: Bool = true, caBundlePath: String? = nil, clientCertificatePath: String? = nil,
                clientKeyPath: String? = nil) {
        self.verifyPeer = verifyPeer
        self.caBundlePath = caBundlePath
        self.clientCertificatePath = clientCertificatePath
        self.clientKeyPath = clientKeyPath
    }
}

/// Status line and headers of a final (non-1xx) response.
struct HTTPResponseHead: Sendable {
    var status: Int
    /// "1.1", "2" …, as libcurl reports the version actually used.
    var httpVersion: String
    /// Header lines in arrival order; names as the server spelled them.
    var headers: [(name: String, value: String)]

    /// The first value of a header, matched case-insensitively as HTTP requires (ASCII folding, no copies:
    /// this runs several times per reply).
    func value(for name: String) -> String? {
        headers.first { Self.namesEqual($0.name, name) }?.value
    }

    /// The media type without parameters, lower-cased: `text/event-stream; charset=utf-8` → `text/event-stream`.
    /// Scanned as bytes, and the usual bare lower-case value is returned as is: this runs on every reply.
    var mediaType: String? {
        guard let raw = value(for: "content-type") else { return nil }
        let bytes = raw.utf8
        var type = bytes[..<(bytes.firstIndex(of: 0x3B) ?? bytes.endIndex)]  // up to ";"
        while let first = type.first, first == 0x20 || first == 0x09 { type = type.dropFirst() }
        while let last = type.last, last == 0x20 || last == 0x09 { type = type.dropLast() }
        let lowerCase = !type.contains { $0 &- 0x41 < 26 || $0 >= 0x80 }
        if lowerCase, type.count == bytes.count { return raw }
        let text = String(Substring(type))
        return lowerCase ? text : text.lowercased()
    }

    private static func namesEqual(_ a: String, _ b: String) -> Bool {
        if a.utf8.contains(where: { $0 >= 0x80 }) || b.utf8.contains(where: { $0 >= 0x80 }) {
            return a.lowercased() == b.lowercased()  // not a token; keep Unicode case folding
        }
        return a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8) { foldASCII($0) == foldASCII($1) }
    }

    private static func foldASCII(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }
}

/// A running transfer as its consumer sees it.
struct TransferStream: Sendable {
    let events: TransferEvents
    /// Report body bytes as processed, so a transfer paused for backpressure can resume.
    let acknowledge: @Sendable (Int) -> Void
}

/// What a running transfer reports, in order: exactly one `.head`, then zero or more `.body` chunks.
enum TransferEvent: Sendable {
    case head(HTTPResponseHead)
    case body([UInt8])
}

extension StringProtocol {
    /// Trims spaces and tabs (HTTP's optional whitespace) from both ends.
    func trimmingSpaces() -> String {
        var slice = Substring(self)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
