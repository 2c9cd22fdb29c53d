import Foundation
import Testing

/// Signing in with OAuth against a real authorization server on loopback: fastmcp 4.x's in-memory provider
/// (`Tests/Servers/oauth_server.py`: PRM, RFC 8414 metadata, dynamic registration, PKCE, rotation), with
/// `Tests/Clients/browser.sh` as `$BROWSER` standing in for the user who approves. Serialized: each test starts its
/// own authorization server (a Python process importing fastmcp), and the rest of the suite runs beside them.
@Suite("OAuth sign-in", .serialized)
struct OAuthTests {
    /// One authorization server per test (its counts are per process), and a fresh token store.
    struct Setup {
        let server: ServerProcess
        let store: String
        let browserLog: String

        init(tokenSeconds: Int = 3600, faults: [String] = []) async throws {
            server = try await ServerProcess(script: "oauth_server.py",
                                             arguments: ["--port", "0", "--token-seconds", "\(tokenSeconds)"] + faults,
                                             python: TestEnvironment.fastmcpPython)
            let base = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-bridge-oauth-\(UUID())").path
            store = base + "/store"
            browserLog = base + "-browser.log"
        }

        var url: String { server.url("/mcp") }

        var environment: [String: String] {
            ["MCP_BRIDGE_AUTH_DIR": store, "BROWSER_LOG": browserLog,
             "BROWSER": TestEnvironment.repository.appendingPathComponent("Tests/Clients/browser.sh").path]
        }

        func bridge(_ extra: [String] = [], browser: String? = nil) throws -> BridgeProcess {
            var environment = environment
            if let browser { environment["BROWSER"] = browser }
            return try BridgeProcess([url] + extra, environment: environment)
        }

        /// The host's `initialize` answered with an OAuth failure: its message.
        func refusal(_ extra: [String] = [], browser: String? = nil) async throws -> String {
            let bridge = try bridge(extra, browser: browser)
            try bridge.send(Messages.initialize())
            let (response, _) = try await bridge.readResponse(id: 1)
            #expect(response.errorCode == -32009, "\(response)")
            _ = try await bridge.finish()
            return response.errorMessage ?? ""
        }

        /// How many registrations, authorizations and token requests the server has served.
        func counts() throws -> [String: Int] {
            let data = try FaultTools.curl([server.url("/_counts")])
            return (try JSONSerialization.jsonObject(with: data) as? [String: Int]) ?? [:]
        }

        func storedTokens() throws -> [String: Any] {
            let directories = try FileManager.default.contentsOfDirectory(atPath: store)
            let data = try #require(FileManager.default.contents(atPath: "\(store)/\(directories[0])/tokens.json"))
            return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        }
    }

    static func echo(_ bridge: BridgeProcess, id: Int) async throws -> String? {
        try bridge.send(Messages.call(id: id, tool: "echo", arguments: #"{"text":"signed \#(id)"}"#))
        return try await bridge.readResponse(id: id).response.toolText
    }

    @Test func theFirstRunSignsInAndTheNextReusesTheTokens() async throws {
        let setup = try await Setup()
        let first = try setup.bridge()
        let initialized = try await first.handshake()
        #expect(initialized.result?["serverInfo"] != nil, "\(initialized)")
        #expect(try await Self.echo(first, id: 5) == "signed 5")
        let (status, _) = try await first.finish()
        #expect(status == 0)
        let firstCounts = try setup.counts()
        #expect(firstCounts["register"] == 1 && firstCounts["authorize"] == 1, "\(firstCounts)")

        let tokens = try setup.storedTokens()
        let access = try #require(tokens["access_token"] as? String)
        let directory = try FileManager.default.contentsOfDirectory(atPath: setup.store)[0]
        let attributes = try FileManager.default.attributesOfItem(atPath: "\(setup.store)/\(directory)/tokens.json")
        #expect((attributes[.posixPermissions] as? Int) == 0o600, "tokens are the user's alone")

        let second = try setup.bridge()
        _ = try await second.handshake()
        #expect(try await Self.echo(second, id: 6) == "signed 6")
        _ = try await second.finish()
        let counts = try setup.counts()
        #expect(counts["authorize"] == 1 && counts["token"] == 1, "no second sign-in: \(counts)")
        for stderr in [first.stderr.text, second.stderr.text] {
            #expect(!stderr.contains(access), "the access token never reaches a log")
        }
    }

    @Test func threeCopiesStartedAtOnceSignInOnce() async throws {
        let setup = try await Setup()
        let bridges = try (0..<3).map { _ in try setup.bridge() }
        try await withThrowingTaskGroup(of: String?.self) { group in
            for (index, bridge) in bridges.enumerated() {
                group.addTask {
                    _ = try await bridge.handshake()
                    return try await Self.echo(bridge, id: 10 + index)
                }
            }
            var answers: [String?] = []
            for try await answer in group { answers.append(answer) }
            #expect(Set(answers.compactMap { $0 }) == ["signed 10", "signed 11", "signed 12"], "\(answers)")
        }
        for bridge in bridges { _ = try await bridge.finish() }
        let counts = try setup.counts()
        #expect(counts["register"] == 1 && counts["authorize"] == 1, "one registration, one browser flow: \(counts)")
    }

    @Test func aTokenNearExpiryIsRefreshedBeforeUse() async throws {
        let setup = try await Setup(tokenSeconds: 8)
        let bridge = try setup.bridge()
        _ = try await bridge.handshake()
        #expect(try await Self.echo(bridge, id: 20) == "signed 20")
        try await Task.sleep(for: .seconds(7))  // into the last quarter of the token's 8 s life
        #expect(try await Self.echo(bridge, id: 21) == "signed 21")
        _ = try await bridge.finish()
        let counts = try setup.counts()
        #expect(counts["authorize"] == 1 && counts["token"] == 2, "refreshed, not signed in again: \(counts)")
    }

    @Test func anAuthorizationHeaderOfTheUsersTurnsOAuthOff() async throws {
        let setup = try await Setup()
        let bridge = try setup.bridge(["--header", "Authorization: Bearer not-a-token"])
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009, "the server's 401, relayed: \(response)")
        _ = try await bridge.finish()
        let counts = try setup.counts()
        #expect(counts["authorize"] == nil, "no sign-in: \(counts)")
        #expect(!FileManager.default.fileExists(atPath: setup.browserLog))
    }

    @Test func aModernHostSignsInToo() async throws {
        let setup = try await Setup()
        let bridge = try setup.bridge()
        let call = #"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"echo","arguments":{"text":"m"},"#
            + #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","#
            + #""io.modelcontextprotocol/clientCapabilities":{}}}}"#
        try bridge.send(call)
        let (response, _) = try await bridge.readResponse(id: 7)
        #expect(response.toolText == "m", "\(response)")
        _ = try await bridge.finish()
        #expect(try setup.counts()["authorize"] == 1)
    }

    @Test func tenCopiesStartedAtOnceSignInOnce() async throws {
        let setup = try await Setup()
        let bridges = try (0..<10).map { _ in try setup.bridge() }
        try await withThrowingTaskGroup(of: String?.self) { group in
            for (index, bridge) in bridges.enumerated() {
                group.addTask {
                    _ = try await bridge.handshake()
                    return try await Self.echo(bridge, id: 30 + index)
                }
            }
            var answers = 0
            for try await answer in group where answer != nil { answers += 1 }
            #expect(answers == 10)
        }
        for bridge in bridges { _ = try await bridge.finish() }
        let counts = try setup.counts()
        #expect(counts["register"] == 1 && counts["authorize"] == 1, "\(counts)")
    }

    /// RFC 9207: the callback's `iss` must be the issuer the metadata named, and present when promised.
    @Test(arguments: [("right", true), ("wrong", false), ("promised-missing", false)])
    func theCallbacksIssuerIsChecked(mode: String, accepted: Bool) async throws {
        let setup = try await Setup(faults: ["--iss", mode])
        let bridge = try setup.bridge()
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        _ = try await bridge.finish()
        if accepted {
            #expect(response.result != nil, "\(response)")
        } else {
            #expect(response.errorCode == -32009, "\(response)")
            #expect(response.errorMessage?.contains("iss") == true || response.errorMessage?.contains("issuer") == true,
                    "\(response)")
            #expect(try setup.counts()["token"] == nil, "the code is never redeemed")
        }
    }

    @Test func noAdvertisedS256IsRefusedBeforeTheBrowserOpens() async throws {
        let setup = try await Setup(faults: ["--no-s256"])
        #expect(try await setup.refusal().contains("PKCE S256"))
        #expect(!FileManager.default.fileExists(atPath: setup.browserLog), "no browser for a server we refuse")
    }

    @Test func aDenialIsReportedAndNotRetriedAtOnce() async throws {
        let setup = try await Setup(faults: ["--deny"])
        #expect(try await setup.refusal().contains("access_denied"))
    }

    @Test func aSignInNobodyFinishesTimesOutWithWhatToDo() async throws {
        let setup = try await Setup()
        let message = try await setup.refusal(["--auth-timeout", "2"], browser: "/bin/true")
        #expect(message.contains("--auth-timeout"), "\(message)")
    }

    @Test func aBusyCallbackPortSaysWhichArgumentToChange() async throws {
        let setup = try await Setup()
        let holder = try await ServerProcess.ownFaultServer()  // something already listening on that port
        let message = try await setup.refusal(["\(holder.port)"])
        #expect(message.contains("callback port"), "\(message)")
    }

    @Test func loginFromATerminalThenAuthListThenLogout() async throws {
        let setup = try await Setup()
        let login = try await BridgeProcess.runToEnd(["login", setup.url], environment: setup.environment)
        #expect(login.status == 0 && login.stdout.contains("signed in to"), "\(login.stdout)\(login.stderr)")
        let again = try await BridgeProcess.runToEnd(["login", setup.url], environment: setup.environment)
        #expect(again.stdout.contains("already signed in"), "\(again.stdout)")

        let list = try await BridgeProcess.runToEnd(["auth", "list"], environment: setup.environment)
        #expect(list.stdout.contains(setup.url) && list.stdout.contains("refreshable"), "\(list.stdout)")
        let access = try #require(try setup.storedTokens()["access_token"] as? String)
        #expect(!list.stdout.contains(access) && !login.stderr.contains(access), "never a token")

        let relay = try setup.bridge(browser: "/bin/false")  // a browser now would be a bug
        _ = try await relay.handshake()
        #expect(try await Self.echo(relay, id: 40) == "signed 40")
        _ = try await relay.finish()
        #expect(try setup.counts()["authorize"] == 1)

        let check = try await BridgeProcess.runToEnd(["check", setup.url], environment: setup.environment)
        #expect(check.status == 0, "check uses the stored tokens: \(check.stdout)")
        #expect(check.stdout.contains("auth        signed in to"), "\(check.stdout)")

        let logout = try await BridgeProcess.runToEnd(["logout", setup.url], environment: setup.environment)
        #expect(logout.stdout.contains("signed out") && logout.stdout.contains("tokens revoked"), "\(logout.stdout)")
        let revoked = try FaultTools.curl(["-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
                                           "-H", "Authorization: Bearer \(access)", "-H", "Content-Type: application/json",
                                           "--data", "{}", setup.url])
        #expect(String(decoding: revoked, as: UTF8.self) == "401", "the old token no longer works")
        let empty = try await BridgeProcess.runToEnd(["auth", "list"], environment: setup.environment)
        #expect(empty.stdout.contains("no stored sign-ins"), "\(empty.stdout)")
        let signedOut = try await BridgeProcess.runToEnd(["check", setup.url], environment: setup.environment)
        #expect(signedOut.status == 1 && signedOut.stdout.contains("mcp-bridge login"), "\(signedOut.stdout)")
        let opened = (try? String(contentsOfFile: setup.browserLog, encoding: .utf8))?.split(separator: "\n") ?? []
        #expect(opened.count == 1, "one browser flow (login's); check never opens one: \(opened)")
    }

    @Test func aRefusedRefreshLeadsToANewSignInNotALoop() async throws {
        let setup = try await Setup(tokenSeconds: 8, faults: ["--refuse-refresh"])
        let bridge = try setup.bridge()
        _ = try await bridge.handshake()
        try await Task.sleep(for: .seconds(7))
        #expect(try await Self.echo(bridge, id: 50) == "signed 50")
        _ = try await bridge.finish()
        let counts = try setup.counts()
        #expect(counts["authorize"] == 2, "signed in again after the refused refresh: \(counts)")
    }

    /// Refresh tokens rotate: two copies that both find the token expiring refresh once, and the second uses what
    /// the first stored (a second refresh with the rotated-away token would be refused).
    @Test func twoCopiesNearExpiryRefreshOnce() async throws {
        let setup = try await Setup(tokenSeconds: 8)
        let first = try setup.bridge()
        let second = try setup.bridge()
        _ = try await first.handshake()
        _ = try await second.handshake()
        try await Task.sleep(for: .seconds(7))
        async let a = Self.echo(first, id: 60)
        async let b = Self.echo(second, id: 61)
        let answers = try await [a, b]
        #expect(answers == ["signed 60", "signed 61"])
        _ = try await first.finish()
        _ = try await second.finish()
        let counts = try setup.counts()
        #expect(counts["authorize"] == 1 && counts["token"] == 2, "one sign-in, one refresh: \(counts)")
    }

    /// 403 `insufficient_scope`: a new sign-in asking for the scopes held and the ones the challenge names, once.
    @Test func aCallThatNeedsMoreScopeStepsUpOnce() async throws {
        let setup = try await Setup(faults: ["--step-up", "echo"])
        let bridge = try setup.bridge()
        _ = try await bridge.handshake()
        #expect(try await Self.echo(bridge, id: 70) == "signed 70")
        #expect(try await Self.echo(bridge, id: 71) == "signed 71")
        _ = try await bridge.finish()
        let counts = try setup.counts()
        #expect(counts["step-up"] == 1 && counts["authorize"] == 2, "\(counts)")
        #expect((try setup.storedTokens()["scope"] as? String)?.contains("write") == true)
    }
}
