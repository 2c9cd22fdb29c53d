import Foundation
import Testing

/// The authorization code flow against a second, independent authorization server (authlib + Flask, which requires
/// PKCE and puts RFC 9207 `iss` on every authorization response), with the mcp SDK resource server in front that
/// introspects each token there; the same over the 2024-11-05 HTTP+SSE transport; and an authorization server that
/// is down. Serialized: each test starts its own servers.
@Suite("OAuth against authlib", .serialized)
struct IndependentAuthorizationServerTests {
    static func echo(_ bridge: BridgeProcess, id: Int) async throws -> String? {
        try bridge.send(Messages.call(id: id, tool: "echo", arguments: #"{"text":"authlib \#(id)"}"#))
        return try await bridge.readResponse(id: id).response.toolText
    }

    func browserOpened(_ server: AuthlibServer) -> [String] {
        ((try? String(contentsOfFile: server.browserLog, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The sign-in the authlib server accepts only with a correct S256 verifier and a matching `iss`; then a
    /// refresh before expiry, which it rotates.
    @Test func theCodeFlowSignsInChecksIssAndRefreshes() async throws {
        let server = try await AuthlibServer(["--token-seconds", "8"])
        let bridge = try server.bridge(["--debug"], browser: true)
        _ = try await bridge.handshake()
        #expect(try await Self.echo(bridge, id: 2) == "authlib 2")
        try await Task.sleep(for: .seconds(7))  // into the last quarter of the token's 8 s life
        #expect(try await Self.echo(bridge, id: 3) == "authlib 3")
        _ = try await bridge.finish()
        let counts = try server.counts()
        #expect(counts["authorize"] == 1 && counts["token:authorization_code"] == 1, "\(counts)")
        #expect(counts["token:refresh_token"] == 1 && counts["device_authorization"] == nil, "\(counts)")
        let opened = browserOpened(server)
        #expect(opened.count == 1 && opened[0].contains("code_challenge_method=S256"), "\(opened)")
        try server.expectNoSecret(in: [bridge.stderr.text])
    }

    /// A pre-registered client (`--static-oauth-client-info`) signs in and refreshes as itself: nothing registered.
    @Test func aPreRegisteredClientSignsInAndRefreshes() async throws {
        let server = try await AuthlibServer(["--token-seconds", "8"])
        let port = try FaultTools.unusedPort()
        let metadata = try server.json("/.well-known/oauth-protected-resource/mcp") as? [String: Any]
        let issuer = try #require((metadata?["authorization_servers"] as? [String])?.first)
        let registration = #"{"client_name":"by hand","redirect_uris":["http://127.0.0.1:\#(port)/oauth/callback"],"#
            + #""grant_types":["authorization_code","refresh_token"],"token_endpoint_auth_method":"none"}"#
        let registered = try JSONSerialization.jsonObject(with: FaultTools.curl(
            ["-H", "Content-Type: application/json", "--data", registration, issuer + "/register"])) as? [String: Any]
        let clientID = try #require(registered?["client_id"] as? String)
        let bridge = try server.bridge(["\(port)", "--static-oauth-client-info", #"{"client_id":"\#(clientID)"}"#],
                                       browser: true)
        _ = try await bridge.handshake()
        try await Task.sleep(for: .seconds(7))
        #expect(try await Self.echo(bridge, id: 2) == "authlib 2")
        _ = try await bridge.finish()
        let counts = try server.counts()
        #expect(counts["register"] == 1 && counts["authorize"] == 1, "only the registration by hand: \(counts)")
        #expect(counts["token:refresh_token"] == 1, "refreshed as the pre-registered client: \(counts)")
    }

    @Test func anAuthorizationServerWithoutAdvertisedS256IsRefusedUnlessAssumed() async throws {
        let server = try await AuthlibServer(["--no-s256"])
        let refused = try server.bridge(browser: true)
        try refused.send(Messages.initialize())
        let (response, _) = try await refused.readResponse(id: 1)
        #expect(response.errorCode == -32009 && response.errorMessage?.contains("--assume-pkce-s256") == true,
                "\(response)")
        _ = try await refused.finish()
        #expect(browserOpened(server).isEmpty)

        // authlib requires PKCE whatever its metadata says: the sign-in succeeds only because S256 is sent.
        let assumed = try server.bridge(["--assume-pkce-s256"], browser: true)
        _ = try await assumed.handshake()
        #expect(try await Self.echo(assumed, id: 2) == "authlib 2")
        _ = try await assumed.finish()
        #expect(try server.counts()["token:authorization_code"] == 1)
    }

    @Test func aDeniedCodeFlowIsReported() async throws {
        let server = try await AuthlibServer(["--deny"])
        let bridge = try server.bridge(browser: true)
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009 && response.errorMessage?.contains("access_denied") == true,
                "the error came with the right iss, so it is shown: \(response)")
        _ = try await bridge.finish()
    }

    /// A token the server stops accepting mid-session (revoked, with its refresh token): the next request's 401
    /// leads to a new sign-in and is answered.
    @Test func aRevokedTokenMidSessionLeadsToANewSignIn() async throws {
        let server = try await AuthlibServer()
        let bridge = try server.bridge(browser: true)
        _ = try await bridge.handshake()
        #expect(try await Self.echo(bridge, id: 2) == "authlib 2")
        _ = try server.json("/_revoke_all")
        #expect(try await Self.echo(bridge, id: 3) == "authlib 3")
        _ = try await bridge.finish()
        let counts = try server.counts()
        #expect(counts["authorize"] == 2 && counts["token:refresh_token"] == 1, "refused refresh, new sign-in: \(counts)")
    }

    /// The 2024-11-05 transport: the GET stream's 401 starts the sign-in, the stream and every POST carry the
    /// token, and a POST's 401 later (revoked) signs in again.
    @Test func theLegacySSETransportSignsInOnTheStreamAndThePosts() async throws {
        let server = try await AuthlibServer(["--transport", "sse"])
        let bridge = try server.bridge(["--transport", "sse-only", "--debug"], browser: true, url: server.server.url("/sse"))
        _ = try await bridge.handshake(version: "2024-11-05")
        #expect(try await Self.echo(bridge, id: 2) == "authlib 2", "\(bridge.stderr.text)")
        _ = try server.json("/_revoke_all")
        #expect(try await Self.echo(bridge, id: 3) == "authlib 3", "\(bridge.stderr.text)")
        _ = try await bridge.finish()
        let counts = try server.counts()
        #expect(counts["authorize"] == 2, "signed in for the stream, then again after the POST's 401: \(counts)")
        let log = bridge.stderr.text
        #expect(log.contains("http.method=GET http.status=401") && log.contains("http.method=POST http.status=401"))
        try server.expectNoSecret(in: [bridge.stderr.text])
    }

    /// The resource server names an authorization server nobody runs: every request is answered -32009 with what
    /// to do, well within the auth timeout, and the bridge goes on serving (and exits cleanly).
    @Test func anAuthorizationServerThatIsDownIsReportedAndTheBridgeGoesOn() async throws {
        let server = try await AuthlibServer(["--as-down"])
        let bridge = try server.bridge(["--auth-timeout", "60"], browser: true)
        let started = ContinuousClock.now
        try bridge.send(Messages.initialize())
        let (first, _) = try await bridge.readResponse(id: 1, timeout: .seconds(50))
        #expect(ContinuousClock.now - started < .seconds(60), "answered within the auth timeout")
        #expect(first.errorCode == -32009, "\(first)")
        let message = first.errorMessage ?? ""
        #expect(message.contains("cannot be reached") && message.contains("retry"), "\(message)")
        try bridge.send(Messages.toolsList(id: 2))
        let (second, _) = try await bridge.readResponse(id: 2, timeout: .seconds(50))
        #expect(second.errorCode == -32009, "\(second)")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
        #expect(browserOpened(server).isEmpty)
    }
}
