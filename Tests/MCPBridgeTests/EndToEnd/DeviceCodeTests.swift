import Foundation
import Testing

/// Signing in without a browser (RFC 8628) against the authlib authorization server: the bridge prints the
/// verification page and the user code on stderr, the "user" (`Tests/Clients/device_user.sh`) approves or denies it
/// there, and the bridge polls the token endpoint as the server tells it. Serialized: each test starts its own
/// authorization server, and device flows take seconds of polling.
@Suite("OAuth device sign-in", .serialized)
struct DeviceCodeTests {
    static func echo(_ bridge: BridgeProcess, id: Int) async throws -> String? {
        try bridge.send(Messages.call(id: id, tool: "echo", arguments: #"{"text":"device \#(id)"}"#))
        return try await bridge.readResponse(id: id).response.toolText
    }

    /// No browser and no display: the device flow, with no port bound; the call is answered once the user approves.
    @Test func withoutABrowserTheDeviceFlowSignsIn() async throws {
        let server = try await AuthlibServer()
        let bridge = try server.bridge(["--debug"])
        try bridge.send(Messages.initialize())
        let url = try await server.actAsUser(watching: [bridge])
        #expect(url.contains("user_code="), "\(url)")
        let (initialized, _) = try await bridge.readResponse(id: 1)
        #expect(initialized.result?["serverInfo"] != nil, "\(initialized)")
        try bridge.send(Messages.initialized)
        #expect(try await Self.echo(bridge, id: 2) == "device 2")
        _ = try await bridge.finish()
        let counts = try server.counts()
        #expect(counts["device_authorization"] == 1 && counts["authorize"] == nil, "\(counts)")
        #expect(bridge.stderr.text.contains("enter the code"), "the user code is shown")
        #expect(!bridge.stderr.text.contains("oauth/callback"), "no loopback callback")
        #expect(!FileManager.default.fileExists(atPath: server.browserLog), "no browser")
        try server.expectNoSecret(in: [bridge.stderr.text])

        // The next copy uses the stored tokens: no second device flow.
        let next = try server.bridge()
        _ = try await next.handshake()
        #expect(try await Self.echo(next, id: 3) == "device 3")
        _ = try await next.finish()
        #expect(try server.counts()["device_authorization"] == 1)
    }

    @Test func deviceCodeIsUsedEvenWhereABrowserCouldOpen() async throws {
        let server = try await AuthlibServer()
        let bridge = try server.bridge(["--device-code"], browser: true)
        try bridge.send(Messages.initialize())
        try await server.actAsUser(watching: [bridge])
        #expect(try await bridge.readResponse(id: 1).response.result != nil)
        _ = try await bridge.finish()
        #expect(!FileManager.default.fileExists(atPath: server.browserLog), "the browser was not opened")
        #expect(try server.counts()["device_authorization"] == 1)
    }

    @Test func aDenialGivesTheHostWhatToDo() async throws {
        let server = try await AuthlibServer()
        let bridge = try server.bridge()
        try bridge.send(Messages.initialize())
        try await server.actAsUser("deny", watching: [bridge])
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009, "\(response)")
        let message = response.errorMessage ?? ""
        #expect(message.contains("access_denied") && message.contains("mcp-bridge login"), "\(message)")
        let (status, _) = try await bridge.finish()
        #expect(status == 0, "the bridge keeps going and exits cleanly")
        #expect(try server.counts()["token:urn:ietf:params:oauth:grant-type:device_code"] ?? 0 >= 1)
    }

    /// RFC 8628 §3.5: after `slow_down` every later poll waits 5 s more. The authorization server answers the second
    /// poll `slow_down`; its log shows the next poll came after the longer interval, and no poll came early.
    @Test func slowDownIsHonoured() async throws {
        let server = try await AuthlibServer(["--interval", "1", "--slow-down-at", "2"])
        let bridge = try server.bridge()
        try bridge.send(Messages.initialize())
        let deadline = ContinuousClock.now + .seconds(20)
        while try !server.polls().contains(where: { $0.answer == "slow_down" }), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(200))
        }
        try await server.actAsUser(watching: [bridge])
        #expect(try await bridge.readResponse(id: 1).response.result != nil)
        _ = try await bridge.finish()
        // A loaded machine may let the user approve only after one more pending poll; every poll after the
        // slow_down must still keep the longer interval.
        let polls = try server.polls()
        let answers = polls.map(\.answer)
        #expect(answers.prefix(2) == ["authorization_pending", "slow_down"] && answers.last == "token"
                    && answers.dropFirst(2).dropLast().allSatisfy { $0 == "authorization_pending" }, "\(polls)")
        if polls.count >= 3 {
            #expect(polls[1].at - polls[0].at >= 0.9, "the advertised 1 s interval: \(polls)")
            for (earlier, later) in zip(polls.dropFirst(), polls.dropFirst(2)) {
                #expect(later.at - earlier.at >= 5.9, "1 s + 5 s after slow_down: \(polls)")
            }
        }
    }

    @Test func threeCopiesAtOnceRunOneDeviceFlow() async throws {
        let server = try await AuthlibServer()
        let bridges = try (0..<3).map { _ in try server.bridge() }
        for bridge in bridges { try bridge.send(Messages.initialize()) }
        try await server.actAsUser(watching: bridges)
        for bridge in bridges {
            #expect(try await bridge.readResponse(id: 1).response.result != nil, "\(bridge.stderr.text)")
            try bridge.send(Messages.initialized)
        }
        for (index, bridge) in bridges.enumerated() {
            #expect(try await Self.echo(bridge, id: 10 + index) == "device \(10 + index)")
            _ = try await bridge.finish()
        }
        let counts = try server.counts()
        #expect(counts["register"] == 1 && counts["device_authorization"] == 1, "one device flow: \(counts)")
        #expect(bridges.filter { $0.stderr.text.contains("enter the code") }.count == 1, "one code shown")
        try server.expectNoSecret(in: bridges.map(\.stderr.text))
    }

    /// `mcp-bridge login URL --device-code` in an SSH session, then the host's copies use what it stored.
    @Test func loginFromATerminalWithADeviceCode() async throws {
        let server = try await AuthlibServer()
        let login = try server.bridge(["--device-code"], url: "login")
        try await server.actAsUser(watching: [login])
        let status = try await login.waitForExit()
        let printed = try await login.stdout.nextLine(timeout: .seconds(5)) ?? ""
        #expect(status == 0 && printed.contains("signed in to"), "\(printed) \(login.stderr.text)")
        let relay = try server.bridge()
        _ = try await relay.handshake()
        #expect(try await Self.echo(relay, id: 2) == "device 2")
        _ = try await relay.finish()
        #expect(try server.counts()["device_authorization"] == 1)
    }

    @Test func deviceCodeWithoutTheEndpointSaysSo() async throws {
        let server = try await AuthlibServer(["--no-device"])
        let bridge = try server.bridge(["--device-code"])
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009 && response.errorMessage?.contains("device_authorization_endpoint") == true,
                "\(response)")
        _ = try await bridge.finish()
    }

    @Test func aDeviceCodeNobodyApprovesTimesOutWithWhatToDo() async throws {
        let server = try await AuthlibServer()
        let bridge = try server.bridge(["--auth-timeout", "3"])
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009 && response.errorMessage?.contains("--auth-timeout") == true,
                "\(response)")
        _ = try await bridge.finish()
    }

    @Test func anExpiredDeviceCodeSaysToStartAgain() async throws {
        let server = try await AuthlibServer(["--device-seconds", "2"])
        let bridge = try server.bridge(["--auth-timeout", "30"])
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009 && response.errorMessage?.contains("expired") == true, "\(response)")
        _ = try await bridge.finish()
    }
}
