import BridgeHTTP

/// Small requests to the credential services (the container endpoint, IMDS, the SSO portal, STS), sent
/// straight to libcurl: they are not MCP traffic, the pipeline never signs them (an STS call is signed by its caller,
/// with the source credentials), and they must not be retried for long (a laptop has no instance metadata service,
/// and the chain should say so within seconds).
struct AWSMetadataClient: Sendable {
    let http: any HTTPClient

    struct Reply: Sendable {
        var status: Int
        var body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    func send(_ method: HTTPRequest.Method, _ url: String, headers: [HTTPHeader] = [], source: String,
              timeout: Duration = .seconds(5)) async throws(AWSCredentialError) -> Reply {
        try await send(HTTPRequest(method: method, url: url, headers: headers, connectTimeout: .seconds(2),
                                   totalTimeout: timeout), source: source)
    }

    /// A request built by the caller (STS's signed form POSTs).
    func send(_ request: HTTPRequest, source: String) async throws(AWSCredentialError) -> Reply {
        let url = request.url
        do {
            return try await http.send(request, context: ExchangeContext(label: "AWS credentials")) { response in
                Reply(status: response.status, body: await response.collect(upTo: 256 << 10))
            }
        } catch let error as HTTPClientError {
            throw AWSCredentialError("\(source) could not be reached at \(Redaction.redactURL(url)): \(error.message)")
        } catch {
            throw AWSCredentialError("\(source) could not be reached at \(Redaction.redactURL(url)): \(error)")
        }
    }
}
