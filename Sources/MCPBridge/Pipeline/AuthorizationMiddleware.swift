import BridgeHTTP

/// OAuth on every exchange with the MCP server: the access token on each attempt and hop, and on a 401 (or a 403
/// `insufficient_scope`, the step-up) the session's recovery (refresh or sign-in, shared by every request that met
/// it), then the same request once more — the server did not process it, so any method may be sent again. Off (one
/// nil check) when the user sends an `Authorization` header of their own or the server never asked.
struct AuthorizationMiddleware<Next: HTTPClient>: HTTPClient {
    let next: Next
    let oauth: OAuthSession?
    /// Tokens go only to the MCP server's origin.
    let origin: String

    @inline(__always)
    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        guard let oauth, Self.sameOrigin(request.url, origin), !oauth.notOffered else {
            return try await next.send(request, context: context, reading: reading)
        }
        return try await authorized(request, oauth: oauth, context: context, reading: reading)
    }

    private func authorized<Reply>(
        _ request: HTTPRequest, oauth: OAuthSession, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        let (ready, isReady) = oauth.readyBearer()
        var token = isReady ? ready : await oauth.bearer()
        for attempt in 0..<2 {
            var challenge: String?
            let reply: Reply? = try await next.send(Self.with(token, request), context: context) { response in
                let header = response.head.value(for: "www-authenticate")
                // 401: no or a refused token. 403 insufficient_scope: a token without the scopes this call needs.
                let stepUp = response.status == 403 && header?.contains("insufficient_scope") == true
                guard response.status == 401 || stepUp, attempt == 0 else { return try await reading(&response) }
                challenge = header ?? ""
                _ = await response.collect(upTo: 16384)
                return nil
            }
            if let reply { return reply }
            do {
                token = try await oauth.recover(after: token, challenge: challenge.flatMap(AuthChallenge.init(header:)))
            } catch is OAuthNotOffered {
                return try await next.send(request, context: context, reading: reading)
            }
        }
        preconditionFailure("the second attempt always reads its response")
    }

    /// `url` is on `origin` (not merely prefixed by it: `http://h:80` is a prefix of `http://h:8080`).
    static func sameOrigin(_ url: String, _ origin: String) -> Bool {
        guard url.hasPrefix(origin) else { return false }
        let next = url.dropFirst(origin.count).first
        return next == nil || next == "/" || next == "?"
    }

    static func with(_ token: String?, _ request: HTTPRequest) -> HTTPRequest {
        guard let token else { return request }
        SecretValues.shared.remember(token: token)  // a server that echoes it must not get it into our logs
        var request = request
        request.headers.removeAll { $0.name.lowercased() == "authorization" }
        request.headers.append(HTTPHeader(name: "Authorization", value: "Bearer " + token))
        return request
    }
}
