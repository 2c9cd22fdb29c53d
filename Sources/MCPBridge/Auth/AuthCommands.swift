import BridgeHTTP
import BridgePlatform
import BridgeWire
import Logging

/// `mcp-bridge login URL`, `logout URL` and `auth list`: sign in from a terminal before any host starts, forget a
/// server's tokens, and see what is stored — never a token.
public struct AuthCommands: Sendable {
    let configuration: BridgeConfiguration
    let logger: Logger

    public init(configuration: BridgeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends the `initialize` a host would; a 401 runs the sign-in exactly as the relay does. Returns what happened.
    public func login() async -> (ok: Bool, message: String) {
        guard let options = configuration.oauth, let server = try? ServerURLParser.parse(configuration.serverURL)
        else { return (false, "OAuth is off for this server (an Authorization header was given)") }
        let store = OAuthSession.store(for: server, options: options)
        let before = store.read("tokens.json")
        let driver = CurlDriver()
        defer { driver.shutdown() }
        let endpoint = RemoteEndpoint(configuration: configuration, driver: driver, logger: logger)
        let empty = SessionState.Snapshot(sessionID: nil, protocolVersion: nil, generation: 0)
        let post = endpoint.post(Array(HandshakeProbe.initialize.utf8), session: empty, timeout: .seconds(30))
        do {
            let (status, session) = try await endpoint.send(post, ExchangeContext(label: "login")) { response in
                _ = await response.collect(upTo: 1 << 16)
                return (response.status, response.head.value(for: HeaderName.sessionID))
            }
            if let session {
                let snapshot = SessionState.Snapshot(sessionID: session, protocolVersion: nil, generation: 0)
                _ = try? await endpoint.send(endpoint.delete(session: snapshot), ExchangeContext(label: "DELETE")) {
                    $0.status
                }
            }
            let after = store.read("tokens.json")
            guard (200..<300).contains(status) else { return (false, "the server answered HTTP \(status)") }
            if after == nil { return (true, "the server asks for no sign-in") }
            let issuer = after.flatMap(TokenSet.init(stored:))?.issuer ?? "?"
            return (true, after == before ? "already signed in to \(issuer)" : "signed in to \(issuer)")
        } catch {
            return (false, "\(error)")
        }
    }

    /// Revokes the server's tokens where its authorization server offers revocation (RFC 7009), then forgets them;
    /// the registration stays, so the next sign-in reuses it.
    public func logout() async -> String {
        guard let options = configuration.oauth, let server = try? ServerURLParser.parse(configuration.serverURL)
        else { return "nothing stored" }
        let store = OAuthSession.store(for: server, options: options)
        guard let tokens = store.read("tokens.json").flatMap(TokenSet.init(stored:)) else {
            return "not signed in to \(configuration.serverURL)"
        }
        let driver = CurlDriver()
        defer { driver.shutdown() }
        let http = OAuthHTTP(client: LoggingMiddleware(next: TransportFailureMiddleware(next: driver), logger: logger),
                             configuration: configuration)
        var revoked = "the authorization server offers no revocation"
        if let info = try? await OAuthDiscovery(http: http, server: server).discover(nil),
           let endpoint = info.revocationEndpoint {
            let client = store.read("client.json").flatMap(ClientRegistration.init(stored:))
            var outcomes: [Bool] = []
            let pairs = [(tokens.refreshToken, "refresh_token"), (Optional(tokens.accessToken), "access_token")]
            for case (let token?, let hint) in pairs {
                let form = [("token", token), ("token_type_hint", hint)] + (client?.credentials() ?? [])
                var reply = try? await http.postForm(endpoint, form, label: "OAuth revocation")
                // The MCP SDK's revocation route wants a client_secret field even from a public client; an empty
                // one is what it accepts (a public client has no secret to send).
                if let refused = reply, !refused.ok, client?.clientSecret == nil,
                   String(decoding: refused.body, as: UTF8.self).contains("client_secret") {
                    reply = try? await http.postForm(endpoint, form + [("client_secret", "")], label: "OAuth revocation")
                }
                outcomes.append(reply?.ok == true)
            }
            revoked = outcomes.allSatisfy { $0 } ? "tokens revoked" : "revocation failed; tokens forgotten anyway"
        }
        store.remove("tokens.json")
        return "signed out of \(configuration.serverURL) (\(revoked))"
    }

    /// `check`'s line about the sign-in: whether tokens are stored for this server, from which issuer, until when.
    static func state(_ configuration: BridgeConfiguration) -> String? {
        guard let options = configuration.oauth, let server = try? ServerURLParser.parse(configuration.serverURL),
              !configuration.headers.contains(where: { $0.name.lowercased() == "authorization" }) else { return nil }
        let store = OAuthSession.store(for: server, options: options)
        // Nothing stored: nothing to say (a server that wants a sign-in fails its step with what to run).
        guard let tokens = store.read("tokens.json").flatMap(TokenSet.init(stored:)) else { return nil }
        let expiry = tokens.expiresAt.map { "expires in \(max(0, $0 - Int(time(nil))) / 60) min" } ?? "no expiry"
        return "signed in to \(tokens.issuer), scope \(tokens.scope ?? "-"), \(expiry)"
            + (tokens.refreshToken == nil ? "" : ", refreshable")
    }

    /// One line per stored server: URL, issuer, client id, scopes, expiry.
    public static func list(storeRoot: String) -> [String] {
        guard let directory = opendir(storeRoot) else { return [] }
        defer { closedir(directory) }
        var lines: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            guard !name.hasPrefix(".") else { continue }
            let store = TokenStore(directory: storeRoot + "/" + name)
            guard let tokens = store.read("tokens.json").flatMap(TokenSet.init(stored:)) else { continue }
            let server = store.read("server").map { String(decoding: $0, as: UTF8.self) }?
                .split(separator: "\n").first.map(String.init) ?? "?"
            let client = store.read("client.json").flatMap(ClientRegistration.init(stored:))?.clientID ?? "?"
            let expiry = tokens.expiresAt.map { "expires in \(($0 - Int(time(nil))) / 60) min" } ?? "no expiry"
            lines.append("\(server)  issuer \(tokens.issuer)  client \(client)  scope \(tokens.scope ?? "-")  \(expiry)"
                + (tokens.refreshToken == nil ? "" : ", refreshable"))
        }
        return lines.sorted()
    }
}
