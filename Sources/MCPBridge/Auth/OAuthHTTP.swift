import BridgeHTTP
import BridgeWire

/// The authorization server's and metadata endpoints' HTTP: JSON GETs and form or JSON POSTs through libcurl with
/// the user's TLS and proxy settings, below the MCP pipeline (no retries, no redirects followed, no token attached).
struct OAuthHTTP: Sendable {
    let client: LoggingMiddleware<TransportFailureMiddleware<CurlDriver>>
    let configuration: BridgeConfiguration

    struct Reply: Sendable {
        var status: Int
        var head: HTTPResponseHead
        var body: [UInt8]
        var ok: Bool { (200..<300).contains(status) }
    }

    func get(_ url: String, label: String) async throws -> Reply {
        try await exchange(.get, url, headers: [HTTPHeader(name: "Accept", value: "application/json")], body: [],
                           label: label)
    }

    func postForm(_ url: String, _ pairs: [(String, String)], label: String) async throws -> Reply {
        let headers = [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded"),
                       HTTPHeader(name: "Accept", value: "application/json")]
        return try await exchange(.post, url, headers: headers, body: Array(FormEncoding.encode(pairs).utf8),
                                  label: label)
    }

    func postJSON(_ url: String, _ json: String, label: String) async throws -> Reply {
        let headers = [HTTPHeader(name: "Content-Type", value: "application/json"),
                       HTTPHeader(name: "Accept", value: "application/json")]
        return try await exchange(.post, url, headers: headers, body: Array(json.utf8), label: label)
    }

    private func exchange(_ method: HTTPRequest.Method, _ url: String, headers: [HTTPHeader], body: [UInt8],
                          label: String) async throws -> Reply {
        var request = HTTPRequest(method: method, url: url,
                                  headers: [HTTPHeader(name: "User-Agent", value: configuration.userAgent)] + headers,
                                  body: body, connectTimeout: configuration.connectTimeout,
                                  totalTimeout: .seconds(30), tls: configuration.tls)
        request.useEnvironmentProxy = configuration.useEnvironmentProxy
        return try await client.send(request, context: ExchangeContext(label: label)) { response in
            Reply(status: response.status, head: response.head, body: await response.collect(upTo: 1 << 20))
        }
    }
}

/// Reading the fields of an OAuth JSON document (metadata, registration, token responses).
struct JSONDocument: Sendable {
    let bytes: [UInt8]

    init?(_ bytes: [UInt8]) {
        guard (try? JSONScanner.members(in: bytes)) != nil else { return nil }
        self.bytes = bytes
    }

    func string(_ key: String) -> String? { Envelope.string(atPath: [key], in: bytes) }
    func number(_ key: String) -> Int? { Envelope.number(atPath: [key], in: bytes) }

    func bool(_ key: String) -> Bool {
        guard let value = try? JSONScanner.value(atPath: [key], in: bytes), value.kind == .bool else { return false }
        return bytes[value.range.lowerBound] == UInt8(ascii: "t")
    }

    func strings(_ key: String) -> [String]? {
        guard let value = try? JSONScanner.value(atPath: [key], in: bytes), value.kind == .array,
              let elements = try? JSONScanner.elements(of: value.range, in: bytes) else { return nil }
        return elements.compactMap { $0.kind == .string ? try? JSONScanner.string(at: $0.range, in: bytes) : nil }
    }
}
