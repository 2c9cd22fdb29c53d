import BridgeHTTP
import Crypto

/// AWS Signature Version 4 for one request, computed in Swift rather than by libcurl: Debian 12's libcurl 7.88
/// signs unsorted queries and single-encoded paths, which AWS refuses (README "AWS SigV4").
///
/// Every header the request sends is signed except the few that clients and proxies rewrite (botocore's list), so
/// `Mcp-Session-Id`, `MCP-Protocol-Version` and the user's `--header`s cannot be altered in transit either. The
/// body is hashed whole: the bridge's bodies are buffered JSON-RPC messages.
struct SigV4Signer: Sendable {
    let region: String
    let service: String

    /// Headers left out of the signature (botocore's `SIGNED_HEADERS_BLACKLIST` plus hop-by-hop headers).
    static let unsignedHeaders: Set<String> = [
        "authorization", "expect", "user-agent", "x-amzn-trace-id", "transfer-encoding", "connection", "te",
        "traceparent", "keep-alive", "proxy-authorization", "upgrade",
    ]

    /// Headers this signer writes; any copy already on the request (a retry, a redirect hop) is replaced.
    static let ownHeaders: Set<String> = ["authorization", "x-amz-date", "x-amz-security-token"]

    /// Adds `X-Amz-Date`, `X-Amz-Security-Token` (temporary credentials) and `Authorization` to `request`;
    /// `key` is `signingKey(credentials, date: time.scopeDate)`, when the caller keeps it (it changes once a day).
    func sign(_ request: inout HTTPRequest, url: ServerURL, with credentials: AWSCredentials, at time: AWSTime,
              key: SymmetricKey? = nil) {
        var headers = request.headers.filter { !Self.ownHeaders.contains($0.name.lowercased()) }
        let amzDate = time.amzDate
        headers.append(HTTPHeader(name: "X-Amz-Date", value: amzDate))
        if let token = credentials.sessionToken { headers.append(HTTPHeader(name: "X-Amz-Security-Token", value: token)) }
        let scope = "\(time.scopeDate)/\(region)/\(service)/aws4_request"
        let (canonical, signedHeaders) = canonicalRequest(request.method.rawValue, url: url, headers: headers,
                                                          body: request.body)
        let stringToSign = "AWS4-HMAC-SHA256\n\(amzDate)\n\(scope)\n" + Self.hex(SHA256.hash(data: Array(canonical.utf8)))
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8),
                                                                  using: key ?? signingKey(credentials, date: time.scopeDate)))
        headers.append(HTTPHeader(name: "Authorization", value: "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/"
            + "\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"))
        request.headers = headers
    }

    /// The canonical request and the `SignedHeaders` list (AWS's "Create a canonical request").
    func canonicalRequest(_ method: String, url: ServerURL, headers: [HTTPHeader], body: [UInt8])
        -> (text: String, signedHeaders: String) {
        var values: [String: [String]] = [:]
        for header in headers {
            let name = header.name.lowercased()
            guard !Self.unsignedHeaders.contains(name) else { continue }
            values[name, default: []].append(SigV4Canonical.headerValue(header.value))
        }
        // libcurl sends Host from the URL (no port when it is the scheme's default) unless a header replaces it.
        if values["host"] == nil { values["host"] = [url.port.map { "\(url.host):\($0)" } ?? url.host] }
        let names = values.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(values[$0, default: []].joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let text = [
            method, SigV4Canonical.path(url.path), SigV4Canonical.query(url.query), canonicalHeaders, signedHeaders,
            Self.hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        return (text, signedHeaders)
    }

    /// The key derived from the secret for one day, region and service (four HMACs).
    func signingKey(_ credentials: AWSCredentials, date: String) -> SymmetricKey {
        func hmac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: key))
        }
        let secret = SymmetricKey(data: Array(("AWS4" + credentials.secretAccessKey).utf8))
        return hmac(hmac(hmac(hmac(secret, date), region), service), "aws4_request")
    }

    private static let digits = Array("0123456789abcdef".utf8)

    static func hex<Bytes: Sequence>(_ bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var out: [UInt8] = []
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }
}
