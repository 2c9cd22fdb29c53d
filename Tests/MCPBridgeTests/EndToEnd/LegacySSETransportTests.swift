import Foundation
import Testing

/// The 2024-11-05 "HTTP with SSE" transport against the official SDK's FastMCP 1.x, and the
/// `--transport` strategies (http-first falls back when POST initialize is refused; sse-first falls back the other
/// way; the `-only` strategies never switch).
@Suite("2024-11-05 HTTP+SSE transport (LegacySSE)")
struct LegacySSETransportTests {
    static func progressCall(id: Int, steps: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"progress","arguments":{"steps":"#
            + #"\#(steps)},"_meta":{"progressToken":"tok-\#(id)"}}}"#
    }

    @Test func httpFirstFallsBackToSSEAndToolsListCallAndProgressWork() async throws {
        let server = try await SharedLegacyServer.sse.value
        let bridge = try BridgeProcess([server.url("/sse"), "--header", "X-Custom: abc", "--debug"])
        let initialize = try await bridge.handshake()
        #expect(initialize.result?["protocolVersion"] as? String == "2025-06-18", "\(initialize)")
        #expect(bridge.stderr.text.contains("2024-11-05 HTTP+SSE"), "the fallback is logged: \(bridge.stderr.text)")

        try bridge.send(Messages.toolsList(id: 2))
        let (tools, _) = try await bridge.readResponse(id: 2)
        let names = ((tools.result?["tools"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        #expect(names.contains("echo") && names.contains("progress"), "\(tools)")

        try bridge.send(Messages.call(id: 3, tool: "echo", arguments: #"{"text":"café ☕"}"#))
        let (echo, _) = try await bridge.readResponse(id: 3)
        #expect(echo.toolText == "café ☕", "\(echo)")

        try bridge.send(Self.progressCall(id: 4, steps: 3))
        let (done, before) = try await bridge.readResponse(id: 4)
        #expect(done.toolText == "done", "\(done)")
        let progress = before.filter { $0["method"] as? String == "notifications/progress" }
        #expect(progress.count == 3, "three progress notifications before the result: \(before)")
        #expect(progress.allSatisfy { ($0["params"] as? [String: Any])?["progressToken"] as? String == "tok-4" })

        try bridge.send(Messages.call(id: 5, tool: "request_headers"))
        let posted = try Self.headers(in: try await bridge.readResponse(id: 5).response)
        #expect(posted["x-custom"] == "abc", "user headers on every POST: \(posted)")
        #expect(posted["user-agent"]?.hasPrefix("mcp-bridge/") == true)
        #expect(posted["mcp-protocol-version"] == "2025-06-18", "the negotiated version after initialize")

        try bridge.send(Messages.call(id: 6, tool: "stream_headers"))
        let stream = try Self.headers(in: try await bridge.readResponse(id: 6).response)
        #expect(stream["x-custom"] == "abc", "user headers on the GET: \(stream)")
        #expect(stream["user-agent"]?.hasPrefix("mcp-bridge/") == true)
        #expect(stream["accept"]?.contains("text/event-stream") == true)

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "nothing after the answers: \(later)")
    }

    @Test func sseOnlyNeverTriesStreamableHTTP() async throws {
        let server = try await SharedLegacyServer.sse.value
        let bridge = try BridgeProcess([server.url("/sse"), "--transport", "sse-only", "--debug"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "whoami"))
        #expect(try await bridge.readResponse(id: 2).response.toolText == "shared-legacy")
        #expect(try await bridge.finish().status == 0)
        #expect(!bridge.stderr.text.contains("http.status=405"), "no POST to the SSE URL: \(bridge.stderr.text)")
    }

    @Test func httpOnlyAgainstAnSSEServerExplainsWhatToDo() async throws {
        let server = try await SharedLegacyServer.sse.value
        let bridge = try BridgeProcess([server.url("/sse"), "--transport", "http-only"])
        try bridge.send(Messages.initialize(id: 1))
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32004, "\(response)")
        #expect(response.errorData?["httpStatus"] as? Int == 405)
        let message = response.errorMessage ?? ""
        #expect(message.contains("2024-11-05") && message.contains("--transport"), "a hint: \(message)")
        #expect(try await bridge.finish().status == 0)
    }

    @Test func sseFirstFallsBackToStreamableHTTP() async throws {
        let server = try await SharedServers.stateful.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath), "--transport", "sse-first", "--debug"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "echo", arguments: #"{"text":"over streamable http"}"#))
        #expect(try await bridge.readResponse(id: 2).response.toolText == "over streamable http")
        #expect(bridge.stderr.text.contains("using Streamable HTTP"), "\(bridge.stderr.text)")
        #expect(try await bridge.finish().status == 0)
    }

    @Test func anEndpointOnAnotherOriginIsRefused() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/legacy-cross-origin")])
        try bridge.send(Messages.initialize(id: 1))
        let (response, _) = try await bridge.readResponse(id: 1)
        let message = response.errorMessage ?? ""
        #expect(message.contains("another origin") && message.contains("localhost"), "\(response)")
        let requests = try await server.faultLog().requests()
        #expect(requests.map { $0["method"] as? String } == ["POST", "GET"], "no POST to the other origin: \(requests)")
        #expect(try await bridge.finish().status == 0)
    }

    @Test func aDroppedStreamIsReconnectedAndTheNewSessionReinitialized() async throws {
        let first = try await ServerProcess.legacy(name: "before")
        let port = first.port
        let bridge = try BridgeProcess([first.url("/sse"), "--transport", "sse-only", "--debug"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.toolsList(id: 2))  // teaches the bridge that `slow` is read-only (safe to re-send)
        _ = try await bridge.readResponse(id: 2)
        // Long enough that the server is gone (SIGTERM, 1 s grace) while both still run, even on a loaded machine:
        // the call with side effects runs 30 s (it never finishes here, so this costs no time), which held under the
        // sanitizers on a loaded machine, where 8 s did not (the server finished it before it was stopped).
        try bridge.send(Messages.call(id: 3, tool: "slow", arguments: #"{"seconds":8}"#))
        try bridge.send(Messages.call(id: 4, tool: "slow_effect", arguments: #"{"seconds":30}"#))
        // Both calls must have reached the server (its 202s) before it goes away, however slow this machine is.
        let deadline = ContinuousClock.now + .seconds(20)
        while bridge.stderr.text.components(separatedBy: "http.status=202 mcp.message=tools/call").count < 3,
              ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(20))
        }
        try await Task.sleep(for: .milliseconds(400))
        try await first.stopAndWait()
        let second = try await ServerProcess.legacyRestarted(on: port, name: "after")
        defer { second.stop() }

        let answers = try await bridge.readResponses(count: 2, timeout: .seconds(60))
        let byID = Dictionary(answers.map { ($0["id"] as? Int ?? 0, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID[3]?.toolText == "slept 8.0", "the read-only call is re-sent on the new session: \(answers)")
        let tail = bridge.stderr.text.split(separator: "\n").suffix(30).joined(separator: "\n")
        #expect(byID[4]?.errorCode == -32005, "the call with side effects is not repeated: \(answers)\n\(tail)")
        try bridge.send(Messages.call(id: 5, tool: "whoami"))
        #expect(try await bridge.readResponse(id: 5, timeout: .seconds(30)).response.toolText == "after")
        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "the replayed initialize is never written to stdout: \(later)")
        #expect(bridge.stderr.text.contains("SSE session re-established"), "\(bridge.stderr.text)")
    }

    @Test func tenConcurrentRequestsAreEachAnsweredExactlyOnce() async throws {
        let server = try await SharedLegacyServer.sse.value
        let bridge = try BridgeProcess([server.url("/sse")])
        _ = try await bridge.handshake()
        let ids = Array(10..<20)
        let burst = ids.map { Messages.call(id: $0, tool: "slow", arguments: #"{"seconds":1}"#) + "\n" }.joined()
        let started = ContinuousClock.now
        try bridge.sendRaw(Data(burst.utf8))
        var answered: [Int: Int] = [:]
        for _ in ids {
            let message = try await bridge.readMessage(timeout: .seconds(20))
            let id = try #require(message["id"] as? Int, "unexpected line: \(message)")
            answered[id, default: 0] += 1
            #expect(message.toolText == "slept 1.0", "answer to \(id): \(message)")
        }
        #expect(answered.keys.sorted() == ids && answered.values.allSatisfy { $0 == 1 }, "\(answered)")
        #expect(ContinuousClock.now - started < .seconds(8), "relayed concurrently")
        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "nothing more: \(later)")
    }

    @Test func requestTimeoutAnswersWhileTheStreamStaysOpen() async throws {
        let server = try await SharedLegacyServer.sse.value
        let bridge = try BridgeProcess([server.url("/sse"), "--request-timeout", "1"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "slow_effect", arguments: #"{"seconds":5}"#))
        let (timedOut, _) = try await bridge.readResponse(id: 2)
        #expect(timedOut.errorCode == -32001, "\(timedOut)")
        #expect(try await bridge.finish().status == 0)
    }

    @Test func serverRequestsReachTheHostAndItsAnswerReachesTheServer() async throws {
        let server = try await SharedLegacyServer.sse.value
        let bridge = try BridgeProcess([server.url("/sse")])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 3, tool: "ask_name"))
        let ask = try await bridge.readMessage()
        #expect(ask["method"] as? String == "elicitation/create", "\(ask)")
        let askID = try #require(ask["id"] as? Int)
        try bridge.send(#"{"jsonrpc":"2.0","id":\#(askID),"result":{"action":"accept","content":{"name":"Ada"}}}"#)
        #expect(try await bridge.readResponse(id: 3).response.toolText == "hello Ada")
        #expect(try await bridge.finish().status == 0)
    }

    private static func headers(in response: [String: Any]) throws -> [String: String] {
        let text = try #require(response.toolText, "\(response)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String])
    }
}
