import Foundation
import Testing

/// How the bridge presents itself to an authorization server: the redirect URI's port (stable per server, so an
/// exact-matching server keeps accepting the registration), the Client ID Metadata Document, and PKCE where S256
/// is not advertised. Against fastmcp's in-memory server (exact redirect matching) and the authlib server (CIMD).
@Suite("OAuth client identity", .serialized)
struct OAuthClientIdentityTests {
    /// The port of the redirect URI in each authorization URL the browser was given.
    static func redirectPorts(_ browserLog: String) -> [Int] {
        let opened = ((try? String(contentsOfFile: browserLog, encoding: .utf8)) ?? "").split(separator: "\n")
        return opened.compactMap { line in
            guard let query = URLComponents(string: String(line))?.queryItems,
                  let redirect = query.first(where: { $0.name == "redirect_uri" })?.value else { return nil }
            return URLComponents(string: redirect)?.port
        }
    }

    static func removeTokens(_ store: String) throws {
        for directory in try FileManager.default.contentsOfDirectory(atPath: store) {
            try FileManager.default.removeItem(atPath: "\(store)/\(directory)/tokens.json")
        }
    }

    /// No callback port given: one derived from the server URL, the same for a fresh store; a restart signs in
    /// again on the same redirect URI with the stored registration (no second registration).
    @Test func theCallbackPortIsStablePerServerAndReusedAfterARestart() async throws {
        let setup = try await OAuthTests.Setup()
        let first = try setup.bridge()
        _ = try await first.handshake()
        _ = try await first.finish()
        try Self.removeTokens(setup.store)
        let restarted = try setup.bridge()
        _ = try await restarted.handshake()
        #expect(try await OAuthTests.echo(restarted, id: 2) == "signed 2")
        _ = try await restarted.finish()
        let counts = try setup.counts()
        #expect(counts["register"] == 1 && counts["authorize"] == 2, "the registration still matches: \(counts)")

        let elsewhere = setup.store + "-other"
        let fresh = try BridgeProcess([setup.url], environment: setup.environment.merging(
            ["MCP_BRIDGE_AUTH_DIR": elsewhere]) { _, new in new })
        _ = try await fresh.handshake()
        _ = try await fresh.finish()
        let ports = Self.redirectPorts(setup.browserLog)
        #expect(ports.count == 3 && Set(ports).count == 1, "one port for this server: \(ports)")
        #expect(ports.allSatisfy { (20000...29999).contains($0) }, "below the ephemeral ranges: \(ports)")
    }

    /// Any program's connection or listener may hold the derived port at the moment of a sign-in: the next
    /// candidate is taken, and the sign-in registers for it.
    @Test func aBusyDerivedPortFallsBackToTheNextCandidate() async throws {
        let setup = try await OAuthTests.Setup()
        let first = try setup.bridge()
        _ = try await first.handshake()
        _ = try await first.finish()
        let port = try #require(Self.redirectPorts(setup.browserLog).first)
        let holder = try await ServerProcess(script: "fault_server.py", arguments: ["--port", "\(port)"])
        defer { holder.stop() }
        let elsewhere = setup.store + "-busy"
        let bridge = try BridgeProcess([setup.url], environment: setup.environment.merging(
            ["MCP_BRIDGE_AUTH_DIR": elsewhere]) { _, new in new })
        _ = try await bridge.handshake()
        #expect(try await OAuthTests.echo(bridge, id: 2) == "signed 2")
        _ = try await bridge.finish()
        let ports = Self.redirectPorts(setup.browserLog)
        #expect(ports.count == 2 && ports[1] != port && (20000...29999).contains(ports[1]), "\(ports)")
        #expect(bridge.stderr.text.contains("OAuth callback port \(port) is busy; listening on \(ports.last ?? 0)"))
    }

    @Test func assumingS256SignsInWhereItIsNotAdvertised() async throws {
        let setup = try await OAuthTests.Setup(faults: ["--no-s256"])
        let bridge = try setup.bridge(["--assume-pkce-s256"])
        _ = try await bridge.handshake()
        #expect(try await OAuthTests.echo(bridge, id: 2) == "signed 2")
        _ = try await bridge.finish()
        let opened = (try? String(contentsOfFile: setup.browserLog, encoding: .utf8)) ?? ""
        #expect(opened.contains("code_challenge_method=S256"), "S256 is still what is sent: \(opened)")
        #expect(try setup.counts()["token"] == 1, "and the server checked the verifier")
    }

    /// The document a user hosts for the bridge, on the authlib server's port.
    static func hostDocument(_ server: AuthlibServer, port: Int) throws -> String {
        let url = server.server.url("/documents/mcp-bridge.json")
        let document = #"{"client_id":"\#(url)","client_name":"mcp-bridge","#
            + #""redirect_uris":["http://127.0.0.1:\#(port)/oauth/callback"],"#
            + #""grant_types":["authorization_code","refresh_token"],"response_types":["code"]}"#
        _ = try FaultTools.curl(["-X", "PUT", "--data", document, url])
        return url
    }

    /// Spec priority: the metadata document where the server supports it (no registration), its redirect port.
    @Test func theClientMetadataDocumentIsTheClientWhereSupported() async throws {
        let server = try await AuthlibServer(["--cimd"])
        let port = try FaultTools.unusedPort()
        let document = try Self.hostDocument(server, port: port)
        let bridge = try server.bridge(["--client-metadata-url", document], browser: true)
        _ = try await bridge.handshake()
        #expect(try await DeviceCodeTests.echo(bridge, id: 2) == "device 2")
        _ = try await bridge.finish()
        let counts = try server.counts()
        #expect(counts["register"] == nil && (counts["metadata_document"] ?? 0) >= 1, "\(counts)")
        #expect(Self.redirectPorts(server.browserLog) == [port], "the document's redirect URI, exactly")
        let opened = (try? String(contentsOfFile: server.browserLog, encoding: .utf8)) ?? ""
        #expect(opened.contains("client_id=" + FormEncodingForTests.escape(document)), "\(opened)")
    }

    @Test func withoutServerSupportTheDocumentGivesWayToRegistration() async throws {
        let server = try await AuthlibServer()
        let document = try Self.hostDocument(server, port: try FaultTools.unusedPort())
        let bridge = try server.bridge(["--client-metadata-url", document], browser: true)
        _ = try await bridge.handshake()
        _ = try await bridge.finish()
        #expect(try server.counts()["register"] == 1)
    }

    @Test func aMetadataURLThatIsNotHTTPSIsRefusedAtStart() async throws {
        let run = try await BridgeProcess.runToEnd(["http://127.0.0.1:1/mcp", "--client-metadata-url",
                                                    "http://example.com/client.json"])
        #expect(run.status != 0 && run.stderr.contains("https"), "\(run.stderr)")
    }
}

/// Percent-encoding as the bridge writes a query (RFC 3986 unreserved characters kept).
enum FormEncodingForTests {
    static func escape(_ text: String) -> String {
        let unreserved = CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
        return text.addingPercentEncoding(withAllowedCharacters: unreserved) ?? text
    }
}
