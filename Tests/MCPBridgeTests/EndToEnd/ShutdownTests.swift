import Foundation
import Testing

/// How the bridge ends. At stdin EOF it waits for in-flight requests (bounded by `--drain-timeout`, answering the
/// rest with -32010; a signal during that drain ends it unanswered), DELETEs its session and exits 0; SIGTERM/SIGINT
/// drain the same way; a host that closes the bridge's stdout makes it exit promptly and quietly.
@Suite("Shutdown: drain, session end, signals, closed stdout")
struct ShutdownTests {
    @Test func endOfInputWaitsForTheRequestInFlightAndWritesItsAnswer() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 20, tool: "slow", arguments: #"{"seconds":2}"#))
        try bridge.closeStdin()
        let (response, _) = try await bridge.readResponse(id: 20)
        #expect(response.toolText == "slept 2.0", "answer written after EOF: \(response)")
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func drainTimeoutAnswersWhatIsStillInFlightWithAShutdownError() async throws {
        let server = try await SharedServers.fault.value
        let bridge = try BridgeProcess([server.url("/hang"), "--drain-timeout", "1"])
        try bridge.send(Messages.call(id: 21, tool: "anything"))
        try bridge.closeStdin()
        let (response, _) = try await bridge.readResponse(id: 21, timeout: .seconds(30))
        #expect(response.errorCode == -32010, "shutdown error: \(response)")
        // /hang never answers: exiting at all proves the drain stopped waiting after --drain-timeout.
        #expect(try await bridge.waitForExit(timeout: .seconds(30)) == 0)
    }

    @Test func theSessionIsDeletedAtExit() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/session")])
        _ = try await bridge.handshake()
        try bridge.send(Messages.toolsList(id: 2))
        let (response, _) = try await bridge.readResponse(id: 2)
        #expect(response.result?["session"] as? String == "s-1")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)

        let log = try await server.faultLog()
        let deleted = log.events("session-deleted", path: "/session")
        #expect(deleted.count == 1 && deleted.first?["session"] as? String == "s-1", "log: \(log.entries)")
        let delete = try #require(log.requests(method: "DELETE").first)
        #expect(delete.header("mcp-session-id") == "s-1")
    }

    /// The signal arrives while the request is waiting for the server's response headers.
    @Test(arguments: [SIGTERM, SIGINT])
    func aShutdownSignalDrainsTheRequestInFlight(signal: Int32) async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/slow-headers?delay_ms=2000")])
        try bridge.send(Messages.call(id: 22, tool: "anything"))
        try await server.waitForLog("the POST of request 22") { $0.post(ofRequestID: 22) != nil }
        kill(bridge.process.processIdentifier, signal)
        let (response, _) = try await bridge.readResponse(id: 22)
        #expect(response.result?["echo"] as? String == "tools/call", "answer written after the signal: \(response)")
        #expect(try await bridge.waitForExit() == 0)
    }

    /// A signal's drain is bounded (5 s) even when the request never ends.
    @Test func aShutdownSignalStopsWaitingForARequestThatNeverEnds() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/hang")])
        try bridge.send(Messages.call(id: 24, tool: "anything"))
        try await server.waitForLog("the POST of request 24") { $0.post(ofRequestID: 24) != nil }
        bridge.process.terminate()
        let (response, _) = try await bridge.readResponse(id: 24, timeout: .seconds(40))
        #expect(response.errorCode == -32010, "shutdown error: \(response)")
        #expect(try await bridge.waitForExit(timeout: .seconds(40)) == 0)
        try await server.waitForLog("the abandoned transfer closed") { !$0.events("client-closed").isEmpty }
    }

    /// The MCP SDKs' stdio clients close stdin, wait 2 s, then SIGTERM: a signal during the end-of-input drain means
    /// the host stopped reading, so the drain ends at once and nothing more is written to it.
    @Test func aSignalDuringTheEndOfInputDrainEndsItAtOnceWithoutWriting() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/hang")])
        try bridge.send(Messages.call(id: 25, tool: "anything"))
        try await server.waitForLog("the POST of request 25") { $0.post(ofRequestID: 25) != nil }
        try bridge.closeStdin()
        try await Task.sleep(for: .milliseconds(300))
        #expect(bridge.process.isRunning, "still draining the request in flight")
        bridge.process.terminate()
        #expect(try await bridge.waitForExit(timeout: .seconds(20)) == 0)
        #expect(try await bridge.stdout.nextLine(timeout: .seconds(5)) == nil, "nothing written after the signal")
        #expect(bridge.stderr.text.contains("1 request(s) in flight abandoned"), "\(bridge.stderr.text)")
        try await server.waitForLog("the abandoned transfer closed") { !$0.events("client-closed").isEmpty }
    }

    @Test func aHostThatClosesStdoutMakesTheBridgeExitQuietly() async throws {
        let server = try await SharedServers.fault.value
        let bridge = try UnreadStdoutBridge([server.url("/json")])
        try bridge.closeStdout()
        try bridge.send(Messages.call(id: 23, tool: "anything"))
        // stdin stays open: only the failed write to stdout can end the bridge. 20 s, not 5: under ThreadSanitizer
        // with the whole suite in parallel the exit takes ~3 s and sometimes over 5 (alone: 1.4 s).
        let status = try await bridge.exitStatus(within: .seconds(20))
        #expect(status == 0, "exit status \(status.map(String.init) ?? "none: still running after 20 s")")
        let deadline = ContinuousClock.now + .seconds(5)
        while !bridge.stderr.isClosed && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        let stderr = bridge.stderr.text
        for marker in ["Fatal error", "Backtrace", "Segmentation", "Illegal instruction", "SIGPIPE", "Crash"] {
            #expect(!stderr.contains(marker), "stderr: \(stderr)")
        }
        let lines = stderr.split(separator: "\n")
        #expect(lines.allSatisfy { $0.hasPrefix("mcp-bridge:") }, "only the bridge's own log lines: \(stderr)")
    }
}
