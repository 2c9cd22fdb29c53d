import Foundation
import Testing

/// Cancellation and timeouts: a host's `notifications/cancelled` is forwarded and aborts the request's HTTP
/// transfer, and nothing more is written for that id; `--request-timeout` answers the host with -32001 and cancels
/// upstream; an idle SSE stream is never cut; `--connect-timeout` is validated.
@Suite("Cancellation and timeouts")
struct CancellationAndTimeoutTests {
    /// `/hang` never answers; `/sse-hang` first sends a progress notification, then hangs with the stream open.
    @Test(arguments: ["/hang", "/sse-hang"])
    func cancellingARequestAbortsItsTransferAndNothingMoreIsWrittenForIt(path: String) async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url(path)])
        try bridge.send(Messages.call(id: 7, tool: "anything"))
        if path == "/sse-hang" {
            let progress = try await bridge.readMessage()
            #expect(progress["method"] as? String == "notifications/progress", "streamed before the cancel")
        } else {
            try await server.waitForLog("the POST of request 7") { $0.post(ofRequestID: 7) != nil }
        }

        try bridge.send(Messages.cancelled(requestID: 7))
        let log = try await server.waitForLog("the aborted transfer and the forwarded cancellation") {
            !$0.events("client-closed", path: path).isEmpty && $0.hasCancellation(of: 7)
        }
        #expect(log.posts(ofJSONRPCMethod: "notifications/cancelled").count == 1)

        // Nothing is left in flight, so the drain (default 30 s) has nothing to wait for.
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit(timeout: .seconds(25)) == 0)
        var after: [String] = []
        while let line = try await bridge.stdout.nextLine(timeout: .seconds(5)) { after.append(line) }
        #expect(after.isEmpty, "nothing may be written for a cancelled request: \(after)")
    }

    /// Before the response headers (`/hang`) and in the middle of an event stream (`/sse-hang`).
    @Test(arguments: ["/hang", "/sse-hang"])
    func requestTimeoutAnswersWithATimeoutErrorAndCancelsUpstream(path: String) async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url(path), "--request-timeout", "0.5"])
        try bridge.send(Messages.call(id: 9, tool: "anything"))
        let (response, before) = try await bridge.readResponse(id: 9, timeout: .seconds(30))
        #expect(before.allSatisfy { $0["method"] as? String == "notifications/progress" }, "\(before)")
        #expect(response.errorCode == -32001, "timeout error: \(response)")
        #expect(response.errorMessage?.contains("--request-timeout") == true)

        try await server.waitForLog("the aborted transfer and a notifications/cancelled for 9") {
            !$0.events("client-closed", path: path).isEmpty && $0.hasCancellation(of: 9)
        }
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func requestTimeoutCoversAServerThatIsSlowToSendHeaders() async throws {
        let server = try await SharedServers.fault.value
        let bridge = try BridgeProcess([server.url("/slow-headers?delay_ms=3000"), "--request-timeout", "1"])
        try bridge.send(Messages.call(id: 11, tool: "anything"))
        let (response, _) = try await bridge.readResponse(id: 11, timeout: .seconds(30))
        #expect(response.errorCode == -32001, "timeout error: \(response)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    /// No read timeout is ever set on a transfer (only `--request-timeout`, off by default), so a stream silent for
    /// 10 minutes survives by design; 20 seconds of silence is what CI can afford to prove it.
    @Test func anIdleEventStreamIsNeverCut() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/sse-idle?seconds=20")])
        try bridge.send(Messages.call(id: 12, tool: "anything"))
        let (response, _) = try await bridge.readResponse(id: 12, timeout: .seconds(60))
        #expect(response.result?["echo"] as? String == "tools/call", "the late answer arrived: \(response)")
        let log = try await server.faultLog()
        #expect(log.events("client-closed").isEmpty, "the bridge hung up on the idle stream: \(log.entries)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test(arguments: ["0", "-1"])
    func aNonPositiveConnectTimeoutIsAUsageError(value: String) async throws {
        let bridge = try BridgeProcess(["http://127.0.0.1:9/mcp", "--connect-timeout=\(value)"])
        #expect(try await bridge.waitForExitAndOutput() == 64)
        #expect(bridge.stderr.text.contains("--connect-timeout"), "stderr: \(bridge.stderr.text)")
        #expect(bridge.stdout.text.isEmpty)
    }
}
