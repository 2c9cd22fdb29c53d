import Testing

@testable import BridgeWire
@testable import MCPBridge

/// The era handlers against a fake channel, with the host's stdout read back from a pipe: what the host sees
/// for a reply, and what the server is sent, without a server or a process.
@Suite struct EraHandlerTests {
    let host = HostOutput()

    func routing(hiding patterns: [String] = []) -> ReplyRouting {
        ReplyRouting(sink: host.sink, tools: ToolCatalog(filter: ToolFilter(patterns: patterns), logger: testLogger),
                     logger: testLogger)
    }

    @Test func aDirectReplyReachesTheHostOnceWithHiddenToolsRemovedAndNotificationsInOrder() async throws {
        let channel = FakeChannel { _ in [
            #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info","data":"hi"}}"#,
            #"{"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"echo"},{"name":"secret_reset"}]}}"#,
            #"{"jsonrpc":"2.0","id":7,"result":{"tools":[]}}"#,
        ] }
        let handler = DirectHandler(channel: channel, routing: routing(hiding: ["secret_*"]))
        try await handler.handle(try host.hostSent(#"{"jsonrpc":"2.0","id":7,"method":"tools/list"}"#))
        let lines = await host.lines()
        #expect(lines.count == 2, "the notification, then one answer: \(lines)")
        #expect(lines.first?.contains("notifications/message") == true)
        #expect(lines.last?.contains(#""echo""#) == true)
        #expect(lines.last?.contains("secret_reset") == false, "--ignore-tool hides it from the list")
    }

    @Test func aLegacyHostAnswersAServerQuestionAndTheCallIsSentAgainWithIt() async throws {
        let discover = #"{"jsonrpc":"2.0","id":"d","result":{"resultType":"complete","#
            + #""supportedVersions":["2026-07-28"],"capabilities":{}}}"#
        let facts = try #require(DiscoverFacts(ServerMessage(bytes: Array(discover.utf8),
                                                             envelope: Envelope.classify(Array(discover.utf8)))))
        let channel = FakeChannel { request in
            if Envelope.string(atPath: ["params", "requestState"], in: request.bytes) == nil {
                return [#"{"jsonrpc":"2.0","id":\#(request.id.json),"result":{"resultType":"input_required","#
                    + #""inputRequests":{"confirm":{"method":"elicitation/create","params":{"message":"sure?"}}},"#
                    + #""requestState":"opaque-1"}}"#]
            }
            return [#"{"jsonrpc":"2.0","id":\#(request.id.json),"result":{"content":[],"resultType":"complete"}}"#]
        }
        let session = SessionState()
        let routing = routing()
        let translator = LegacyHostTranslator(channel: channel, session: session, routing: routing,
                                              direct: DirectHandler(channel: channel, routing: routing))
        let call = try host.hostSent(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete"}}"#)
        let relay = Task { try await translator.handle(call, facts: facts) }

        var question: String?
        for _ in 0..<200 where question == nil {
            question = await host.lines().first { $0.contains("elicitation/create") }
            if question == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        let asked = try #require(question, "the server's question reaches the host as a request")
        #expect(asked.contains(#""id":"mcp-bridge-input-1""#))
        let answer = Array(#"{"jsonrpc":"2.0","id":"mcp-bridge-input-1","result":{"action":"accept"}}"#.utf8)
        #expect(translator.questions.deliver(answer, envelope: try Envelope.classify(answer)))
        try await relay.value

        let retry = try #require(channel.calls.last)
        #expect(channel.calls.count == 2)
        #expect(retry.id != call.id, "the retry goes out under an id of the bridge's")
        let sent = String(decoding: retry.bytes, as: UTF8.self)
        #expect(sent.contains(#""inputResponses":{"confirm":{"action":"accept"}}"#))
        #expect(sent.contains(#""requestState":"opaque-1""#), "the server's state, echoed verbatim")
        let lines = await host.lines()
        #expect(lines.last?.hasPrefix(#"{"jsonrpc":"2.0","id":1,"#) == true, "one answer, under the host's id: \(lines)")
    }

    @Test func aModernHostOnALegacyServerIsRefusedAVersionTheBridgeDoesNotSpeak() async throws {
        let channel = FakeChannel { _ in [] }
        let routing = routing()
        let translator = ModernHostTranslator(channel: channel, session: SessionState(), routing: routing,
                                              startServerStream: {})
        let meta = #"{"io.modelcontextprotocol/protocolVersion":"2099-01-01"}"#
        try await translator.handle(try host.hostSent(
            #"{"jsonrpc":"2.0","id":3,"method":"tools/list","params":{"_meta":\#(meta)}}"#))
        let lines = await host.lines()
        #expect(lines.count == 1)
        #expect(lines.first?.contains("-32022") == true)
        #expect(lines.first?.contains(#""supported":["2026-07-28"]"#) == true)
        #expect(channel.calls.isEmpty, "nothing is sent to a server for a version nobody speaks")
    }

    @Test func aLegacyServersQuestionMidCallBecomesInputRequiredAndTheRetryAnswersIt() async throws {
        let channel = FakeChannel { request in
            if request.method == "initialize" {
                return [#"{"jsonrpc":"2.0","id":"mcp-bridge-initialize","result":{"protocolVersion":"2025-11-25","#
                    + #""capabilities":{},"serverInfo":{"name":"legacy","version":"1"}}}"#]
            }
            return [#"{"jsonrpc":"2.0","id":"s-1","method":"elicitation/create","params":{"message":"sure?"}}"#,
                    #"{"jsonrpc":"2.0","id":1,"result":{"content":[{"type":"text","text":"done"}]}}"#]
        }
        let translator = ModernHostTranslator(channel: channel, session: SessionState(), routing: routing(),
                                              startServerStream: {})
        let meta = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28"}"#
        let call = try host.hostSent(#"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"delete","#
            + meta + "}}")
        let relay = Task { try await translator.handle(call) }

        var first: String?
        for _ in 0..<200 where first == nil {
            first = await host.lines().first
            if first == nil { try await Task.sleep(for: .milliseconds(5)) }
        }
        let inputRequired = try #require(first)
        #expect(inputRequired.contains(#""resultType":"input_required""#), "\(inputRequired)")
        #expect(inputRequired.contains(#""method":"elicitation/create""#))
        let state = try #require(Envelope.string(atPath: ["result", "requestState"], in: Array(inputRequired.utf8)))

        let retry = try host.hostSent(#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"delete","#
            + meta + #","inputResponses":{"input":{"action":"accept"}},"requestState":"\#(state)"}}"#)
        try await translator.handle(retry)
        try await relay.value

        #expect(channel.sent.contains { $0.contains(#""id":"s-1","result":{"action":"accept"}"#) },
                "the host's answer reaches the server under the server's id: \(channel.sent)")
        #expect(channel.calls.filter { $0.method == "tools/call" }.count == 1, "the call ran once at the server")
        let lines = await host.lines()
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.last?.hasPrefix(#"{"jsonrpc":"2.0","id":2,"#) == true, "the final result answers the retry")
    }

    @Test func theSinkWritesExactlyOneAnswerPerRequest() async throws {
        let request = try host.hostSent(#"{"jsonrpc":"2.0","id":"a","method":"ping"}"#)
        #expect(await host.sink.answer(request.id, result: "{}"))
        #expect(!(await host.sink.answer(request.id, result: "{}")), "a second answer is dropped")
        await host.sink.fail(request.id, with: BridgeError(.timedOut, "late"))
        #expect(await host.lines() == [#"{"jsonrpc":"2.0","id":"a","result":{}}"#])
    }
}
