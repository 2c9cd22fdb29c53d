import Foundation
import MCPBridge
import Testing

/// The command line as a user meets it: the URL policy before anything is contacted,
/// `--header` templates whose values never reach a log, what each verbosity writes to stderr, `--version` and
/// `--help`, and mcp-remote's flags (accepted with a warning; `--ignore-tool` implemented).
@Suite("Command line")
struct CommandLineTests {
    // MARK: 13: --version and --help

    @Test func versionPrintsTheVersion() async throws {
        let run = try await BridgeProcess.runToEnd(["--version"])
        #expect(run.status == 0)
        #expect(run.stdout == BridgeVersion.current + "\n")
        #expect(run.stderr.isEmpty)
    }

    /// `help.txt` is `mcp-bridge --help`; `help-relay.txt` and `help-check.txt` the subcommands' help.
    @Test(arguments: [[], ["relay"], ["check"]])
    func helpMatchesTheGoldenFile(subcommand: [String]) async throws {
        let name = (["help"] + subcommand).joined(separator: "-") + ".txt"
        let run = try await BridgeProcess.runToEnd(subcommand + ["--help"], environment: ["COLUMNS": "80"])
        #expect(run.status == 0)
        let golden = try GoldenFile.expected(name, actual: run.stdout)
        let command = (["mcp-bridge"] + subcommand + ["--help"]).joined(separator: " ")
        #expect(run.stdout == golden, """
            `\(command)` differs from Golden/\(name). If the change is intended, regenerate with: \
            \(GoldenFile.updateVariable)=1 swift test --filter CommandLineTests
            """)
    }

    // MARK: 11: URL policy

    @Test func plainHTTPToAnotherHostIsRefusedWithAHint() async throws {
        let run = try await BridgeProcess.runToEnd(["http://example.com/mcp"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--allow-http"), "\(run.stderr)")
        #expect(run.stdout.isEmpty)
    }

    /// If the policy let the URL through, the bridge would send the host's `initialize` via the (loopback) proxy and
    /// keep running; it must exit 64 at once with the proxy never contacted (and example.com never resolved: with a
    /// proxy, libcurl leaves name resolution to the proxy).
    @Test func aRefusedURLIsNeverContacted() async throws {
        let proxy = try await ServerProcess.ownFaultServer()
        let proxyURL = proxy.url("")
        let bridge = try BridgeProcess(["http://example.com/mcp", "--enable-proxy"], environment: [
            "http_proxy": proxyURL, "HTTP_PROXY": proxyURL, "https_proxy": proxyURL, "no_proxy": "",
        ])
        try? bridge.send(Messages.initialize())  // it may already have exited: that is the point
        #expect(try await bridge.waitForExitAndOutput(timeout: .seconds(10)) == 64)
        #expect(bridge.stderr.text.contains("--allow-http"))
        #expect(try await proxy.faultLog().requests().isEmpty)
    }

    @Test(arguments: ["127.0.0.1", "localhost"])
    func httpsIsAcceptedWithoutTheFlag(host: String) async throws {
        let port = try FaultTools.unusedPort()
        let run = try await BridgeProcess.runToEnd(["check", "https://\(host):\(port)/mcp"])
        #expect(run.status == 1, "past the URL policy (64 would mean refused): \(run.stderr)")
        #expect(run.stdout.contains("FAILED"))
        #expect(!run.stderr.contains("--allow-http"))
    }

    @Test func plainHTTPToIPv6LoopbackNeedsNoFlag() async throws {
        let port = try FaultTools.unusedPort()
        let bridge = try BridgeProcess(["http://[::1]:\(port)/mcp"])
        try bridge.send(Messages.initialize(id: 1))
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == BridgeError.Code.connectFailed.rawValue, "relayed, then refused: \(response)")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
        #expect(!bridge.stderr.text.contains("--allow-http"))
    }

    // MARK: 12 and 13: headers and logging

    @Test func debugLogsEachMessageButNeverAHeaderValue() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath), "--debug",
                                        "--header", "Authorization: Bearer ${TOK}"],
                                       environment: ["TOK": "s3cr3t-value"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "request_headers"))
        let (call, _) = try await bridge.readResponse(id: 2)
        let sent = try parseJSONObjectText(call.toolText)
        #expect(sent["authorization"] as? String == "Bearer s3cr3t-value", "the header does reach the server")

        let (status, _) = try await bridge.finish()
        #expect(status == 0)
        _ = try await bridge.waitForExitAndOutput()
        let lines = bridge.stderr.text.split(separator: "\n").map(String.init)
        #expect(lines.allSatisfy { $0.hasPrefix("mcp-bridge:") }, "\(lines)")
        for (method, id) in [("initialize", 1), ("tools/call", 2)] {
            #expect(lines.contains {
                $0.contains("mcp.method=\(method)") && $0.contains("mcp.id=\(id)") && $0.contains("request answered")
            }, "a per-message line for \(method) #\(id): \(lines)")
        }
        #expect(lines.contains {
            $0.contains("mcp.method=tools/call") && $0.contains("mcp.id=2") && $0.contains("http.status=200")
        }, "the HTTP status of the call: \(lines)")
        #expect(lines.contains { $0.contains("mcp.method=notifications/initialized") })
        #expect(lines.contains { $0.contains("mcp.id=2") && $0.contains("elapsed_ms=") }, "timings: \(lines)")
        #expect(!bridge.stderr.text.contains("s3cr3t"), "a header value leaked into the log")
    }

    @Test func anUnsetVariableInAHeaderIsNamedInAWarning() async throws {
        let variable = "MCP_E2E_SURELY_UNSET_TOKEN"
        try #require(ProcessInfo.processInfo.environment[variable] == nil)
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath), "--header", "X-Api-Key: ${\(variable)}"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "request_headers"))
        let (call, _) = try await bridge.readResponse(id: 2)
        #expect(try parseJSONObjectText(call.toolText)["x-api-key"] as? String == "", "sent with an empty value")

        let (status, _) = try await bridge.finish()
        #expect(status == 0)
        _ = try await bridge.waitForExitAndOutput()
        let warnings = bridge.stderr.text.split(separator: "\n").filter { $0.contains("warning") }
        #expect(warnings.contains { $0.contains(variable) }, "\(bridge.stderr.text)")
    }

    /// A successful session: nothing on stderr with `--silent`, exactly the startup line by default (the stateful
    /// server adds a GET stream and a DELETE at the end: still nothing to report).
    @Test(arguments: [true, false], ["stateless", "stateful"])
    func stderrStaysQuietOnASuccessfulSession(silent: Bool, mode: String) async throws {
        let server = try await (mode == "stateful" ? SharedServers.stateful : SharedServers.stateless).value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)] + (silent ? ["--silent"] : []))
        _ = try await bridge.handshake()
        try bridge.send(Messages.toolsList(id: 2))
        _ = try await bridge.readResponse(id: 2)
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
        _ = try await bridge.waitForExitAndOutput()
        let lines = bridge.stderr.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        if silent {
            #expect(bridge.stderr.text.isEmpty)
        } else {
            #expect(lines.count == 1, "one startup line: \(bridge.stderr.text)")
            #expect(lines.first?.hasPrefix("mcp-bridge: ") == true)
            #expect(lines.first?.contains(server.url(SharedServers.mcpPath)) == true)
        }
    }

    // MARK: 14: mcp-remote compatibility

    /// mcp-remote's flags (its OAuth ones included) launch unchanged and relay; against a server that asks for no
    /// sign-in they change nothing and say nothing.
    @Test func mcpRemoteFlagsLaunchAndRelay() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([
            server.url(SharedServers.mcpPath), "3334", "--transport", "http-first", "--host", "localhost",
            "--resource", "https://x", "--enable-proxy", "--auth-timeout", "30",
            "--static-oauth-client-metadata", "{}", "--static-oauth-client-info", "{}",
            "--disable-resource-parameter",
        ], environment: ["no_proxy": "*", "NO_PROXY": "*"])  // --enable-proxy must not divert loopback traffic
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "whoami"))
        let (call, _) = try await bridge.readResponse(id: 2)
        #expect(call.toolText == "stateless")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
        _ = try await bridge.waitForExitAndOutput()
        let warnings = bridge.stderr.text.split(separator: "\n").filter { $0.hasPrefix("mcp-bridge: warning") }
        #expect(warnings.isEmpty, "\(bridge.stderr.text)")
    }

    @Test func aBadCallbackPortIsRefusedWithTheFix() async throws {
        let run = try await BridgeProcess.runToEnd(["http://127.0.0.1:9/mcp", "70000"])
        #expect(run.status != 0)
        #expect(run.stderr.contains("callback port must be a number from 1 to 65535"), "\(run.stderr)")
    }

    @Test func ignoredToolsAreHiddenAndRefused() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath),
                                        "--ignore-tool", "list_*", "--ignore-tool", "ECHO"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.toolsList(id: 2))
        let names = BridgeProcess.toolNames(try await bridge.readResponse(id: 2).response)
        #expect(names.contains("whoami"))
        #expect(!names.contains("list_indices"))
        #expect(!names.contains("echo"))

        try bridge.send(Messages.call(id: 3, tool: "list_indices"))
        let (refused, _) = try await bridge.readResponse(id: 3)
        #expect(refused.errorCode == -32602, "\(refused)")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func aCallToAnIgnoredToolNeverReachesTheServer() async throws {
        let fault = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([fault.url("/json"), "--ignore-tool", "list_*"])
        try bridge.send(Messages.call(id: 3, tool: "list_indices"))
        try bridge.send(Messages.call(id: 4, tool: "whoami"))
        let answers = try await bridge.readResponses(count: 2)
        let refused = try #require(answers.first { $0["id"] as? Int == 3 })
        #expect(refused.errorCode == -32602)
        #expect(answers.first { $0["id"] as? Int == 4 }?.result?["echo"] as? String == "tools/call")

        let calls = try await fault.faultLog().posts(ofJSONRPCMethod: "tools/call")
        #expect(calls.count == 1 && calls.first?.jsonBody?["id"] as? Int == 4, "only whoami was sent: \(calls)")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }
}
