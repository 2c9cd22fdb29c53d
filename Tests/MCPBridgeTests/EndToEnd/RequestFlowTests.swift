import Foundation
import Testing

/// Every host message becomes exactly one POST carrying the message byte for byte, the
/// Streamable HTTP headers, the bridge's User-Agent and the user's `--header`s (with `${VAR}` expanded); and
/// messages are relayed concurrently, so fifty requests written at once are all in flight together.
/// (A slow call not delaying a fast one is `StatelessServerTests.aSlowCallNeverDelaysAFastOne`.)
@Suite("Request flow: one POST per message, concurrently")
struct RequestFlowTests {
    /// Deliberately not in the bridge's own formatting (spaces, a `\u` escape, non-ASCII) so re-encoding shows.
    static let requestLine = #"{ "jsonrpc": "2.0", "id": 5, "method": "tools/call", "params": {"#
        + #""name": "echo", "arguments": {"text": "caf\u00e9 – ☕"} } }"#
    static let notificationLine = #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}}"#

    @Test func eachMessageIsOnePOSTWithTheStreamableHTTPAndUserHeaders() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let token = "e2e-secret-\(UInt32.random(in: 1...UInt32.max))"
        let bridge = try BridgeProcess(
            [server.url("/json"), "--header", "X-Custom: abc", "--header", "Authorization: Bearer ${TEST_TOKEN}"],
            environment: ["TEST_TOKEN": token])
        try bridge.send(Self.requestLine)
        let (response, _) = try await bridge.readResponse(id: 5)
        #expect(response.result?["echo"] as? String == "tools/call")
        try bridge.send(Self.notificationLine)
        let log = try await server.waitForLog("the notification's POST") { $0.requests().count >= 2 }

        let requests = log.requests()
        #expect(requests.count == 2, "one HTTP request per message: \(requests)")
        #expect(requests.allSatisfy { $0["method"] as? String == "POST" && $0["path"] as? String == "/json" })
        let request = try #require(log.post(ofRequestID: 5))
        #expect(request["body"] as? String == Self.requestLine, "the body is the host's line, byte for byte")
        #expect(request.header("content-type") == "application/json")
        let accept = request.header("accept") ?? ""
        #expect(accept.contains("application/json") && accept.contains("text/event-stream"), "accept: \(accept)")
        #expect(request.header("user-agent")?.hasPrefix("mcp-bridge/") == true)
        #expect(request.header("x-custom") == "abc")
        #expect(request.header("authorization") == "Bearer \(token)")
        let notification = try #require(log.posts(ofJSONRPCMethod: "notifications/message").first)
        #expect(notification["body"] as? String == Self.notificationLine)
        #expect(notification.header("authorization") == "Bearer \(token)")

        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        #expect(!bridge.stderr.text.contains(token), "header values never appear in logs")
    }

    @Test func fiftyRequestsWrittenAtOnceAreAllInFlightTogether() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        let ids = Array(100..<150)
        let burst = ids.map { Messages.call(id: $0, tool: "slow", arguments: #"{"seconds":1}"#) + "\n" }.joined()
        let started = ContinuousClock.now
        try bridge.sendRaw(Data(burst.utf8))

        var answered: [Int: Int] = [:]
        for _ in ids {
            let message = try await bridge.readMessage(timeout: .seconds(30))
            let id = try #require(message["id"] as? Int, "unexpected line: \(message)")
            answered[id, default: 0] += 1
            #expect(message.toolText == "slept 1.0", "answer to \(id): \(message)")
        }
        let elapsed = ContinuousClock.now - started
        #expect(answered.keys.sorted() == ids, "every id answered")
        #expect(answered.values.allSatisfy { $0 == 1 }, "each id exactly once: \(answered)")
        // Serially this would take 50 s; concurrent relaying takes a little over 1 s plus server overhead.
        #expect(elapsed < .seconds(30), "50 one-second calls took \(elapsed): not relayed concurrently")

        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let extra = try await bridge.stdout.nextLine(timeout: .seconds(5))
        #expect(extra == nil, "nothing after the 50 answers: \(extra ?? "")")
    }
}
