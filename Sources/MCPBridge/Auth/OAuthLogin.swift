import BridgeHTTP
import BridgeWire
import Logging

/// One sign-in: the authorization code flow with PKCE (S256), `state`, the `resource` indicator and the RFC 9207
/// `iss` check, through the user's browser and a loopback callback; and the refresh of a token set.
struct OAuthLogin: Sendable {
    let http: OAuthHTTP
    let server: ServerURL
    let options: OAuthOptions
    let store: TokenStore
    let logger: Logger

    var resource: String { options.resource ?? server.absoluteString }

    /// `granted`: the scopes of the token a step-up replaces; the new request asks for them too (scope union).
    func login(_ info: AuthorizationServerInfo, challenge: AuthChallenge?, granted: String? = nil) async throws -> TokenSet {
        guard options.interactive else {
            throw BridgeError(.unauthorized, "not signed in to this server (its authorization server is \(info.issuer)): "
                + "run `mcp-bridge login \(server.absoluteString)`")
        }
        // The spec's order: the challenge's scope, else the resource's scopes_supported, else none.
        let scope = Self.union(granted, challenge?.scope ?? info.resourceScopes?.joined(separator: " "))
        if let endpoint = try deviceEndpoint(info) { return try await deviceLogin(info, endpoint: endpoint, scope: scope) }
        return try await codeLogin(info, scope: scope)
    }

    /// The stored registration with this issuer, if any.
    func storedClient(_ info: AuthorizationServerInfo) -> ClientRegistration? {
        store.read("client.json").flatMap(ClientRegistration.init(stored:)).flatMap { $0.issuer == info.issuer ? $0 : nil }
    }

    /// The authorization code flow through the browser and the loopback callback.
    private func codeLogin(_ info: AuthorizationServerInfo, scope: String?) async throws -> TokenSet {
        guard info.codeChallengeMethods.contains("S256") || options.assumesS256 else {
            throw BridgeError(.unauthorized, "the authorization server \(info.issuer) does not advertise PKCE S256 "
                + "(code_challenge_methods_supported), which MCP requires; mcp-bridge will not sign in to it. If you "
                + "know it supports S256 without saying so, pass --assume-pkce-s256")
        }
        let stored = storedClient(info)
        let callback = try await listen(info, stored: stored)
        let redirectURI = "http://\(options.callbackHost):\(callback.port)/oauth/callback"
        let client = try await registration(info, stored: stored, redirectURI: redirectURI, scope: scope)
        let pkce = PKCE()
        var query: [(String, String)] = [
            ("response_type", "code"), ("client_id", client.clientID), ("redirect_uri", redirectURI),
            ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"), ("state", pkce.state),
        ]
        if let scope { query.append(("scope", scope)) }
        if options.sendsResource { query.append(("resource", resource)) }
        let separator = info.authorizationEndpoint.contains("?") ? "&" : "?"
        let url = info.authorizationEndpoint + separator + FormEncoding.encode(query)
        do {
            try BrowserOpener(browser: options.browser).open(url) { logger.warning("\($0)") }
        } catch {
            throw BridgeError(.unauthorized, "\(error)")
        }
        let answer = try await callbackAnswer(callback)
        let code = try Self.check(answer, state: pkce.state, info: info)
        var form: [(String, String)] = [("grant_type", "authorization_code"), ("code", code),
                                        ("redirect_uri", redirectURI), ("code_verifier", pkce.verifier)]
        form += client.credentials()
        if options.sendsResource { form.append(("resource", resource)) }
        let reply = try await http.postForm(info.tokenEndpoint, form, label: "OAuth token")
        guard reply.ok, let tokens = TokenSet(response: reply.body, issuer: info.issuer) else {
            throw BridgeError(.unauthorized, "the authorization server refused the code: " + Self.oauthError(reply))
        }
        return tokens
    }

    /// The callback listener, on the port the redirect URI must name: the user's (mcp-remote's positional port),
    /// else the client metadata document's when it is the client; those are fixed, and a busy one is an error that
    /// says what to pass. Otherwise the port is the bridge's to choose: the stored registration's, then the ones
    /// derived from the server URL (`CallbackPort`) — the same on every run, so a server that matches redirect URIs
    /// exactly keeps matching — taking the first free one (a pre-registered client's redirect URI is the user's, so
    /// it gets only the first).
    private func listen(_ info: AuthorizationServerInfo, stored: ClientRegistration?) async throws -> LoopbackCallback {
        var fixed = options.callbackPort
        if fixed == nil, options.staticClientInfo == nil, let url = metadataDocument(info) {
            fixed = try await documentCallbackPort(url)
        }
        var candidates = fixed.map { [$0] } ?? [stored?.callbackPort].compactMap { $0 }
        if fixed == nil {
            candidates += CallbackPort.candidates(for: server.absoluteString).filter { !candidates.contains($0) }
            if options.staticClientInfo != nil { candidates = Array(candidates.prefix(1)) }
        }
        var failure: LoopbackCallback.BindError?
        for port in candidates {
            do {
                let callback = try LoopbackCallback(port: port)
                if failure != nil { logger.info("OAuth callback port \(candidates[0]) is busy; listening on \(port)") }
                return callback
            } catch {
                failure = failure ?? error
            }
        }
        throw BridgeError(.unauthorized, failure.map { "\($0)" } ?? "no OAuth callback port to listen on")
    }

    /// A refresh (RFC 6749 §6); nil when the server no longer takes the refresh token (a new sign-in is needed).
    func refresh(_ tokens: TokenSet, _ info: AuthorizationServerInfo) async throws -> TokenSet? {
        guard let refreshToken = tokens.refreshToken,
              let client = try configuredClient(info, redirectURI: nil) ?? storedClient(info) else { return nil }
        var form: [(String, String)] = [("grant_type", "refresh_token"), ("refresh_token", refreshToken)]
        form += client.credentials()
        if options.sendsResource { form.append(("resource", resource)) }
        let reply = try await http.postForm(info.tokenEndpoint, form, label: "OAuth refresh")
        guard reply.ok else {
            logger.info("the refresh token was refused (\(Self.oauthError(reply))); signing in again")
            return nil
        }
        return TokenSet(response: reply.body, issuer: info.issuer, previous: tokens)
    }

    private func callbackAnswer(_ callback: LoopbackCallback) async throws -> [String: String] {
        let timeout = options.timeout
        return try await withThrowingTaskGroup(of: [String: String]?.self) { group in
            group.addTask { await callback.next() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let answer = try await group.next() ?? nil else {
                throw BridgeError(.unauthorized, "no sign-in within \(timeout.formatted) (--auth-timeout); finish it "
                    + "in the browser, or run `mcp-bridge login URL` in a terminal first")
            }
            return answer
        }
    }

    /// `state` first, then `iss` (RFC 9207, compared exactly), and only then the code or the error.
    static func check(_ answer: [String: String], state: String, info: AuthorizationServerInfo) throws -> String {
        guard answer["state"] == state else {
            throw BridgeError(.unauthorized, "the sign-in callback's state does not match; it was not this sign-in")
        }
        if let iss = answer["iss"], iss != info.issuer {
            throw BridgeError(.unauthorized, "the sign-in callback came from issuer \(iss), not \(info.issuer)")
        }
        if answer["iss"] == nil, info.issParameterSupported {
            throw BridgeError(.unauthorized, "the authorization server promises `iss` on its callback, and it is "
                + "missing: refused (RFC 9207)")
        }
        if let error = answer["error"] {
            throw BridgeError(.unauthorized, "sign-in refused: \(error) \(answer["error_description"] ?? "")")
        }
        guard let code = answer["code"], !code.isEmpty else {
            throw BridgeError(.unauthorized, "the sign-in callback carried no authorization code")
        }
        return code
    }

    /// Space-separated scope lists joined, each scope once, in first-seen order; nil when empty.
    static func union(_ first: String?, _ second: String?) -> String? {
        var seen: [Substring] = []
        for scope in ((first ?? "") + " " + (second ?? "")).split(separator: " ") where !seen.contains(scope) {
            seen.append(scope)
        }
        return seen.isEmpty ? nil : seen.joined(separator: " ")
    }

    static func oauthError(_ reply: OAuthHTTP.Reply) -> String {
        let document = JSONDocument(reply.body)
        let error = document?.string("error") ?? "HTTP \(reply.status)"
        return [error, document?.string("error_description")].compactMap { $0 }.joined(separator: ": ")
    }
}
