import BridgeHTTP

/// `--aws-sigv4`: signs every exchange right before it goes to libcurl — below retries and redirects, so each
/// attempt and each hop is signed with a fresh date and the URL it is actually sent to. Without the flag the layer
/// costs one nil check.
///
/// An AWS refusal (401/403 carrying `x-amzn-ErrorType`) is answered here, because only this layer knows what was
/// signed: expired or unknown credentials are read again and the request sent once more (AWS did not process it),
/// anything else becomes an error naming the key, region and service and quoting AWS's message.
struct SigningMiddleware<Next: HTTPClient>: HTTPClient {
    let next: Next
    let signing: AWSRequestSigning?

    @inline(__always)
    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        guard let signing else { return try await next.send(request, context: context, reading: reading) }
        return try await signed(request, signing: signing, context: context, reading: reading)
    }

    private func signed<Reply>(
        _ request: HTTPRequest, signing: AWSRequestSigning, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        var lastRefusal: AWSRefusal?
        for attempt in 0..<2 {
            let (signed, used) = try await signing.sign(request)
            if let lastRefusal, lastRefusal.credentials.accessKeyID == used.accessKeyID,
               lastRefusal.credentials.sessionToken == used.sessionToken {
                break  // the sources still give the refused credentials: sending again would be refused again
            }
            do {
                return try await next.send(signed, context: context) { response in
                    if response.status == 401 || response.status == 403,
                       let errorType = response.head.value(for: "x-amzn-errortype") {
                        let body = await response.collect(upTo: 4096)
                        throw AWSRefusal(status: response.status, errorType: errorType, body: body, credentials: used)
                    }
                    return try await reading(&response)
                }
            } catch let refusal as AWSRefusal {
                lastRefusal = refusal
                guard attempt == 0, refusal.credentialsMayBeStale else { break }
                signing.credentials.invalidate(used)
            }
        }
        guard let refusal = lastRefusal else { preconditionFailure("the loop returns or records a refusal") }
        throw refusal.bridgeError(signer: signing.signer)
    }
}

/// AWS's answer to a request it would not authenticate or authorize.
struct AWSRefusal: Error {
    let status: Int
    let errorType: String
    let body: [UInt8]
    let credentials: AWSCredentials

    /// Expired or unrecognized keys: rotated or temporary credentials that a re-read may replace.
    var credentialsMayBeStale: Bool {
        let text = (errorType + " " + message).lowercased()
        return ["expiredtoken", "expired", "unrecognizedclient", "invalidclienttokenid"].contains { text.contains($0) }
    }

    /// AWS's own words: the `message`/`Message` of its JSON error, else `<Message>` of an XML one, else the body.
    var message: String {
        if let fields = AWSCredentialDocument.fields(body), let text = fields["message"] ?? fields["Message"] {
            return text
        }
        let text = String(decoding: body, as: UTF8.self)
        if let start = text.firstRange(of: "<Message>"), let end = text.firstRange(of: "</Message>"), start.upperBound <= end.lowerBound {
            return String(text[start.upperBound..<end.lowerBound])
        }
        return BridgeError.excerpt(body, limit: 300)
    }

    func bridgeError(signer: SigV4Signer) -> BridgeError {
        let type = errorType.split(separator: ":").first.map(String.init) ?? errorType
        var said = message.awsTrimmed
        while said.hasSuffix(".") { said.removeLast() }
        return BridgeError(.unauthorized, "AWS refused the signed request (HTTP \(status) \(type)): \(said). "
            + "Signed with \(credentials) for service \(signer.service) in region \(signer.region): check "
            + "--aws-region and --aws-service, and that this identity may call the endpoint",
            httpStatus: status, body: body, mayHaveReachedServer: false)
    }
}
