import Foundation
import Testing

/// Reply decoding: whichever reply form the server picks — JSON with or without Content-Type
/// parameters, an SSE stream with comments, priming events, multi-line data, CRLF, bytes dribbled one at a time,
/// no final blank line, a 202, a batch array — the host gets each message as exactly one stdout line, notifications
/// before the response, and never anything on stdout that is not a JSON-RPC message.
@Suite("Reply decoding")
struct ReplyDecodingTests {
    @Test(arguments: ["/json", "/json-charset"])
    func aJSONReplyIsWrittenOut(path: String) async throws {
        let bridge = try await BridgeProcess.onFault(path)
        try bridge.send(Messages.request(id: .int(3), method: "tools/list"))
        let (answer, before) = try await bridge.readResponse(.int(3))
        #expect(answer.result?["echo"] as? String == "tools/list")
        #expect(before.isEmpty)
        try bridge.send(Messages.request(id: .string("s-3"), method: "prompts/list"))
        let (second, _) = try await bridge.readResponse(.string("s-3"))
        #expect(second.result?["echo"] as? String == "prompts/list")
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    /// `/sse`: a comment, a priming event (`id: p1`, empty data), a progress notification, then the response.
    @Test(arguments: ["/sse", "/sse-trickle?delay_ms=1"])
    func anEventStreamDeliversTheProgressNotificationBeforeTheResponse(path: String) async throws {
        let bridge = try await BridgeProcess.onFault(path)
        try bridge.send(Messages.progressRequest(id: .int(4), token: "tok-4"))
        let (answer, before) = try await bridge.readResponse(.int(4))
        #expect(answer.result?["echo"] as? String == "tools/call")
        // Only the progress event precedes the response: the comment and the empty priming event are not messages.
        #expect(before.count == 1)
        let progress = try #require(before.first)
        #expect(progress["method"] as? String == "notifications/progress")
        #expect((progress["params"] as? [String: Any])?["progressToken"] as? String == "tok-4")
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    @Test func multiLineDataWithCRLFIsJoinedIntoOneMessage() async throws {
        let bridge = try await BridgeProcess.onFault("/sse-multiline")
        try bridge.send(Messages.request(id: .string("m-1"), method: "resources/list"))
        let (answer, before) = try await bridge.readResponse(.string("m-1"))
        #expect(before.isEmpty)
        #expect(answer.result?["echo"] as? String == "resources/list")
        // The data lines are joined with "\n", which is JSON whitespace; the escaped newline in the string survives.
        #expect(answer.result?["text"] as? String == "line1\nline2")
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    @Test func aStreamEndingWithoutTheFinalBlankLineStillAnswers() async throws {
        let bridge = try await BridgeProcess.onFault("/sse-no-final-blank")
        try bridge.send(Messages.request(id: .int(5), method: "tools/list"))
        let (answer, before) = try await bridge.readResponse(.int(5))
        #expect(answer.result?["echo"] as? String == "tools/list")
        #expect(answer["error"] == nil)
        #expect(before.isEmpty)
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    @Test func aNotificationAcceptedWith202WritesNothing() async throws {
        // Every fault scenario path answers a notification with 202; /json then answers the request that follows.
        let bridge = try await BridgeProcess.onFault("/json")
        try bridge.send(Messages.logNotification)
        try bridge.send(Messages.request(id: .int(6)))
        let next = try #require(try parseJSON(try await bridge.readLine()) as? [String: Any])
        #expect(next["id"] as? Int == 6)
        #expect(next.result?["echo"] as? String == "tools/list")
        // Draining at EOF waits for the notification's POST too, so anything it wrote would show up here.
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    @Test func aNotificationToThe202PathLeavesStdoutEmpty() async throws {
        let bridge = try await BridgeProcess.onFault("/202")
        try bridge.send(Messages.initialized)
        try bridge.send(Messages.logNotification)
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
        #expect(bridge.stdout.text.isEmpty)
    }

    @Test func aBatchReplyIsWrittenAsOneLine() async throws {
        let bridge = try await BridgeProcess.onFault("/batch")
        let batch = "[" + Messages.request(id: .int(1), method: "tools/list") + ","
            + Messages.request(id: .string("b-2"), method: "prompts/list") + "]"
        try bridge.send(batch)
        let line = try await bridge.readLine()
        let replies = try #require(try parseJSON(line) as? [[String: Any]])
        #expect(replies.count == 2)
        let byMethod = Dictionary(uniqueKeysWithValues: replies.compactMap { reply in
            (reply.result?["echo"] as? String).map { ($0, reply) }
        })
        #expect(byMethod["tools/list"]?["id"] as? Int == 1)
        #expect(byMethod["prompts/list"]?["id"] as? String == "b-2")
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty, "a batch reply answers both requests: no extra errors")
    }

    @Test func aPrettyPrintedReplyBecomesOneLineWithTheSameJSON() async throws {
        let server = try await SharedServers.fault.value
        let request = Messages.request(id: .int(8), method: "tools/list")
        let reference = try FaultTools.post(request, to: server.url("/json-pretty"))
        #expect(reference.contains(UInt8(ascii: "\n")), "the server's body should be pretty-printed")

        let bridge = try await BridgeProcess.onFault("/json-pretty")
        try bridge.send(request)
        let line = try await bridge.readLine()
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty, "one reply, one line")
        // Same JSON, the escaped newline inside the string preserved…
        let expected = try #require(try JSONSerialization.jsonObject(with: reference) as? NSDictionary)
        let written = try #require(try parseJSON(line) as? NSDictionary)
        #expect(written == expected)
        #expect((written["result"] as? [String: Any])?["text"] as? String == "line1\nline2")
        // …and otherwise the server's bytes, raw newlines turned into spaces, never re-encoded.
        let flattened = String(decoding: reference, as: UTF8.self)
            .replacingOccurrences(of: "\n", with: " ")
        #expect(line.trimmingCharacters(in: .whitespaces) == flattened.trimmingCharacters(in: .whitespaces))
    }

    @Test func stdoutCarriesOnlyJSONRPCLinesEvenWithDebugLogging() async throws {
        let bridge = try await BridgeProcess.onFault("/sse", extraArguments: ["--debug"])
        try bridge.send(Messages.progressRequest(id: .int(1), token: "dbg"))
        try bridge.send("not json")
        try bridge.send("17")
        try bridge.send(Messages.logNotification)
        try bridge.send(Messages.request(id: .string("two"), method: "tools/list"))
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        let lines = bridge.stdout.text.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        // progress + answer for id 1, -32700, -32600, progress + answer for "two"
        #expect(lines.count == 6)
        for line in lines {
            let message = try parseJSON(String(line)) as? [String: Any]
            #expect(message?["jsonrpc"] as? String == "2.0", "not a JSON-RPC line on stdout: \(line)")
        }
        #expect(bridge.stdout.text.hasSuffix("\n"))
        let logLines = bridge.stderr.text.split(separator: "\n")
        #expect(logLines.count > 3, "--debug should log each message")
        #expect(logLines.allSatisfy { $0.hasPrefix("mcp-bridge: ") })
        #expect(bridge.stderr.text.contains("http response"))
    }
}
