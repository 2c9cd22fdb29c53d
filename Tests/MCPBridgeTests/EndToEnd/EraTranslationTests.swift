import Foundation
import Testing

/// What era translation does beyond the matrix's four checks: the messages the bridge answers itself, log levels,
/// `--protocol`, refusals that say what to do, and a server that changes era under a running bridge.
@Suite("Era translation")
struct EraTranslationTests {
    /// A 2026-07-28 request line; `logLevel` nil leaves the key out.
    static func modern(id: Int, method: String, params: String = "", version: String = "2026-07-28",
                       logLevel: String? = nil) -> String {
        var meta = #""io.modelcontextprotocol/protocolVersion":"\#(version)","#
            + #""io.modelcontextprotocol/clientCapabilities":{"elicitation":{}},"#
            + #""io.modelcontextprotocol/clientInfo":{"name":"e2e-modern","version":"1"}"#
        if let logLevel { meta += #","io.modelcontextprotocol/logLevel":"\#(logLevel)""# }
        let rest = params.isEmpty ? "" : "," + params
        return #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{"_meta":{\#(meta)}\#(rest)}}"#
    }

    @Test func aLegacyHostOnAModernOnlyServerIsAnsweredLocallyWhereTheEraHasNoMessage() async throws {
        let server = try await MatrixServers.modernOnly.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        let initialize = try await bridge.handshake(version: "2025-06-18")
        #expect(initialize.result?["protocolVersion"] as? String == "2025-06-18")
        #expect((initialize.result?["serverInfo"] as? [String: Any])?["name"] as? String == "matrix-modern-only")

        try bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"ping"}"#)
        #expect(try await bridge.readResponse(id: 2).response.result?.isEmpty == true)

        // Without logging/setLevel a 2025 host hears every log message, as from a 2025 server.
        try bridge.send(Messages.call(id: 3, tool: "log_messages", arguments: #"{"count":2}"#))
        let (logged, before) = try await bridge.readResponse(id: 3)
        #expect(logged.toolText == "logged 2")
        #expect(before.filter { $0["method"] as? String == "notifications/message" }.count == 2)

        try bridge.send(#"{"jsonrpc":"2.0","id":4,"method":"logging/setLevel","params":{"level":"warning"}}"#)
        #expect(try await bridge.readResponse(id: 4).response.result != nil)
        try bridge.send(Messages.call(id: 5, tool: "log_messages", arguments: #"{"count":2}"#))
        let (quiet, quietBefore) = try await bridge.readResponse(id: 5)
        #expect(quiet.toolText == "logged 2")
        // (List changes announced by other tests sharing this server may arrive; log messages must not.)
        #expect(!quietBefore.contains { $0["method"] as? String == "notifications/message" },
                "info messages are below the host's level: \(quietBefore)")

        try bridge.send(Messages.call(id: 6, tool: "request_headers"))
        let headers = try parseJSONObjectText(try await bridge.readResponse(id: 6).response.toolText)
        #expect(headers["mcp-protocol-version"] as? String == "2026-07-28")
        #expect(headers["mcp-method"] as? String == "tools/call")
        #expect(headers["mcp-name"] as? String == "request_headers")
        #expect(headers["mcp-session-id"] == nil)
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    /// A 2025-03-26 host's batch to a 2026-07-28 server (which has no batches): each element is translated on its own
    /// and each request answered, one line each.
    @Test func aLegacyHostsBatchToAModernServerIsAnsweredElementByElement() async throws {
        let server = try await MatrixServers.modernOnly.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake(version: "2025-03-26")
        let batch = "[" + Messages.call(id: 7, tool: "echo", arguments: #"{"text":"in a batch"}"#) + ","
            + #"{"jsonrpc":"2.0","id":8,"method":"ping"},"#
            + #"{"jsonrpc":"2.0","method":"notifications/progress","params":{"progressToken":"t","progress":1}}]"#
        try bridge.send(batch)
        let answers = try await bridge.readResponses(count: 2, timeout: .seconds(30))
        let byID = Dictionary(answers.map { ($0["id"] as? Int ?? 0, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID[7]?.toolText == "in a batch", "\(answers)")
        #expect(byID[8]?.result?.isEmpty == true, "\(answers)")
        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "\(later)")
    }

    @Test func aLegacyHostsCallCarriesTheToolsHeaderParameters() async throws {
        let server = try await MatrixServers.modernOnly.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake(version: "2025-11-25")
        // No tools/list first: the server's -32020 makes the bridge learn the schema and send the call again.
        try bridge.send(Messages.call(id: 2, tool: "lookup_region", arguments: #"{"region":"Zürich","limit":5}"#))
        #expect(try await bridge.readResponse(id: 2).response.toolText == "Zürich:5")
        try bridge.send(Messages.toolsList(id: 3))
        let tools = try await bridge.readResponse(id: 3).response.result?["tools"] as? [[String: Any]]
        #expect(tools?.contains { $0["name"] as? String == "lookup_region" } == true)
        try bridge.send(Messages.call(id: 4, tool: "lookup_region", arguments: #"{"region":"eu-west"}"#))
        #expect(try await bridge.readResponse(id: 4).response.toolText == "eu-west:10")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func aLegacyHostHearsListChangesAndSubscribedResourcesThroughOneListen() async throws {
        // Its own server: the announcements reach every listen on a server, and the others are shared.
        let server = try await ServerProcess(script: "mcp_server.py",
                                             arguments: ["--modern-only", "--port", "0", "--name", "announcer"])
        defer { server.stop() }
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake(version: "2025-06-18")
        try bridge.send(#"{"jsonrpc":"2.0","id":2,"method":"resources/subscribe","params":{"uri":"test://readme"}}"#)
        #expect(try await bridge.readResponse(id: 2).response.result != nil)
        // The server's events are not replayed: announce until the bridge's (re-opened) listen hears them.
        var heard: Set<String> = []
        for id in 10..<40 where heard.count < 2 {
            try bridge.send(Messages.call(id: id, tool: "announce_changes", arguments: #"{"uri":"test://readme"}"#))
            let (answer, before) = try await bridge.readResponse(id: id)
            #expect(answer.toolText == "announced")
            for note in before {
                let method = note["method"] as? String ?? "?"
                if method == "notifications/resources/updated" {
                    #expect((note["params"] as? [String: Any])?["uri"] as? String == "test://readme")
                }
                #expect(["notifications/tools/list_changed", "notifications/resources/updated"].contains(method),
                        "only what a 2025 host knows: \(note)")
                heard.insert(method)
            }
            if heard.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(heard == ["notifications/tools/list_changed", "notifications/resources/updated"], "\(heard)")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func aHostAnswerThatIsAnErrorFailsTheCallAndSaysWhy() async throws {
        let server = try await MatrixServers.modernOnly.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake(version: "2025-11-25")
        try bridge.send(Messages.call(id: 2, tool: "ask_name"))
        let question = try await bridge.readMessage()
        #expect(question["method"] as? String == "elicitation/create")
        let questionID = try #require(question["id"] as? String)
        try bridge.send(#"{"jsonrpc":"2.0","id":"\#(questionID)","error":{"code":-32601,"message":"no forms here"}}"#)
        let (answer, _) = try await bridge.readResponse(id: 2)
        #expect(answer.errorCode == -32014)
        #expect(answer.errorMessage?.contains("no forms here") == true)
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func cancellingACallWithdrawsTheQuestionTheHostStillHolds() async throws {
        let server = try await MatrixServers.modernOnly.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake(version: "2025-06-18")
        try bridge.send(Messages.call(id: 2, tool: "ask_name"))
        let question = try await bridge.readMessage()
        let questionID = try #require(question["id"] as? String)
        try bridge.send(Messages.cancelled(requestID: 2))
        let withdrawn = try await bridge.readMessage()
        #expect(withdrawn["method"] as? String == "notifications/cancelled")
        #expect((withdrawn["params"] as? [String: Any])?["requestId"] as? String == questionID)
        try bridge.send(Messages.call(id: 3, tool: "echo", arguments: #"{"text":"still here"}"#))
        let (echo, before) = try await bridge.readResponse(id: 3)
        #expect(echo.toolText == "still here")
        #expect(!before.contains { $0["id"] as? Int == 2 }, "nothing is written for the cancelled call")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func aHostThatClosesItsInputBeforeAnsweringStillGetsItsOneAnswer() async throws {
        let server = try await MatrixServers.modernOnly.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake(version: "2025-06-18")
        try bridge.send(Messages.call(id: 2, tool: "ask_name"))
        #expect(try await bridge.readMessage()["method"] as? String == "elicitation/create")
        try bridge.closeStdin()
        let answer = try await bridge.readMessage()
        #expect(answer["id"] as? Int == 2)
        #expect(answer.errorCode == -32014, "\(answer)")
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func aModernHostOnALegacyServerDiscoversItAndHearsLogsOnlyWhenAsked() async throws {
        let server = try await MatrixServers.legacyStateful.value
        let bridge = try BridgeProcess([server.url("/mcp")])
        try bridge.send(Self.modern(id: 1, method: "server/discover"))
        let discover = try #require(try await bridge.readResponse(id: 1).response.result)
        #expect(discover["supportedVersions"] as? [String] == ["2026-07-28"])
        #expect(discover["capabilities"] as? [String: Any] != nil)
        let meta = discover["_meta"] as? [String: Any]
        #expect((meta?["io.modelcontextprotocol/serverInfo"] as? [String: Any])?["name"] as? String == "matrix-1x")

        let call = #""name":"log_messages","arguments":{"count":2}"#
        try bridge.send(Self.modern(id: 2, method: "tools/call", params: call))
        let (silent, silentBefore) = try await bridge.readResponse(id: 2)
        #expect(silent.toolText == "logged 2")
        #expect(silentBefore.isEmpty, "no logLevel, no log notifications (2026-07-28): \(silentBefore)")
        try bridge.send(Self.modern(id: 3, method: "tools/call", params: call, logLevel: "debug"))
        let (_, logs) = try await bridge.readResponse(id: 3)
        #expect(logs.filter { $0["method"] as? String == "notifications/message" }.count == 2)

        try bridge.send(Self.modern(id: 4, method: "tools/list", version: "2031-01-01"))
        let refused = try await bridge.readResponse(id: 4).response
        #expect(refused.errorCode == -32022)
        #expect(refused.errorData?["supported"] as? [String] == ["2026-07-28"])
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    /// A modern host cancels the retry that resumed a call parked at a legacy server: the server never saw the
    /// retry's id, so it is told to cancel the original request, and the call stops there.
    @Test func cancellingTheRetryOfAParkedCallCancelsItAtTheServer() async throws {
        let server = try await MatrixServers.legacyStateful.value
        let bridge = try BridgeProcess([server.url("/mcp")])
        let name = "retry-\(UInt32.random(in: 0 ... .max))"
        try bridge.send(Self.modern(id: 2, method: "tools/call",
                                    params: #""name":"ask_then_sleep","arguments":{"seconds":60}"#))
        let asked = try #require(try await bridge.readResponse(id: 2).response.result)
        #expect(asked["resultType"] as? String == "input_required", "\(asked)")
        let state = try #require(asked["requestState"] as? String)
        let answer = #""inputResponses":{"input":{"action":"accept","content":{"name":"\#(name)"}}},"#
            + #""requestState":"\#(state)""#
        try bridge.send(Self.modern(id: 3, method: "tools/call",
                                    params: #""name":"ask_then_sleep","arguments":{"seconds":60},"# + answer))
        try await Task.sleep(for: .milliseconds(500))  // the server has its answer and sleeps
        try bridge.send(Messages.cancelled(requestID: 3))
        var cancelled = ""
        for id in 10..<60 where !cancelled.contains(name) {
            try await Task.sleep(for: .milliseconds(200))
            let ask = #""name":"cancellations","arguments":{}"#
            try bridge.send(Self.modern(id: id, method: "tools/call", params: ask))
            cancelled = try await bridge.readResponse(id: id).response.toolText ?? ""
        }
        #expect(cancelled.contains(name), "the server's call was never cancelled: \(cancelled)")
        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(!later.contains { $0.contains(#""id":3,"#) }, "a cancelled request gets no answer: \(later)")
    }

    /// A dual-era server behind a 2025-only front (mcp-proxy before mcp-server-time) refuses a request that still
    /// carries the 2026-07-28 envelope on the handshake session: the 2025 server gets the host's `_meta` without it,
    /// every other member (here `progressToken` and a vendor key) as the host wrote it.
    @Test func aModernHostsRequestReachesALegacyServerWithoutTheEnvelope() async throws {
        let server = try await MatrixServers.legacyStateful.value
        let bridge = try BridgeProcess([server.url("/mcp")])
        let line = Self.modern(id: 5, method: "tools/call", params: #""name":"request_meta","arguments":{}"#,
                               logLevel: "info")
            .replacingOccurrences(of: #"{"_meta":{"#, with: #"{"_meta":{"progressToken":"p-5","com.example/tag":[1],"#)
        try bridge.send(line)
        let text = try #require(try await bridge.readResponse(id: 5).response.toolText)
        let meta = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any], "\(text)")
        #expect(Set(meta.keys) == ["progressToken", "com.example/tag"], "the server saw \(text)")
        #expect(meta["progressToken"] as? String == "p-5")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func aModernHostsListenOnALegacyServerIsAcknowledged() async throws {
        let server = try await MatrixServers.legacyStateful.value
        let bridge = try BridgeProcess([server.url("/mcp")])
        try bridge.send(Self.modern(id: 7, method: "subscriptions/listen",
                                    params: #""notifications":{"toolsListChanged":true}"#))
        let ack = try await bridge.readMessage()
        #expect(ack["method"] as? String == "notifications/subscriptions/acknowledged")
        let params = ack["params"] as? [String: Any]
        #expect((params?["notifications"] as? [String: Any])?["toolsListChanged"] as? Bool == true)
        #expect((params?["_meta"] as? [String: Any])?["io.modelcontextprotocol/subscriptionId"] as? Int == 7)
        try bridge.send(Messages.cancelled(requestID: 7))
        try bridge.send(Self.modern(id: 8, method: "tools/call", params: #""name":"echo","arguments":{"text":"x"}"#))
        let (echo, before) = try await bridge.readResponse(id: 8)
        #expect(echo.toolText == "x")
        #expect(!before.contains { $0["id"] as? Int == 7 }, "a cancelled listen gets no answer")
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func protocolModernRefusesALegacyOnlyServerWithTheFix() async throws {
        let server = try await MatrixServers.legacyStateful.value
        let bridge = try BridgeProcess([server.url("/mcp"), "--protocol", "modern"])
        try bridge.send(Messages.initialize(id: 1))
        let (answer, _) = try await bridge.readResponse(id: 1)
        #expect(answer.errorCode == -32013)
        #expect(answer.errorMessage?.contains("--protocol") == true)
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func aServerThatChangesEraIsAskedAgain() async throws {
        let first = try await ServerProcess(script: "legacy_sse_server.py",
                                            arguments: ["--transport", "streamable-http", "--stateless", "--port", "0",
                                                        "--name", "before"],
                                            python: TestEnvironment.legacyPython)
        let port = first.port
        let bridge = try BridgeProcess([first.url("/mcp")])
        let whoami = #""name":"whoami","arguments":{}"#
        try bridge.send(Self.modern(id: 1, method: "tools/call", params: whoami))
        #expect(try await bridge.readResponse(id: 1).response.toolText == "before")

        try await first.stopAndWait()
        let second = try await Self.restartModernOnly(on: port)
        defer { second.stop() }
        try bridge.send(Self.modern(id: 2, method: "tools/call", params: whoami))
        let (after, _) = try await bridge.readResponse(id: 2)
        #expect(after.toolText == "after", "re-probed and relayed as 2026-07-28: \(after)")
        #expect(bridge.stderr.text.contains("asking it again which era it speaks"))
        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    private static func restartModernOnly(on port: Int) async throws -> ServerProcess {
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                return try await ServerProcess(script: "mcp_server.py",
                                               arguments: ["--modern-only", "--port", "\(port)", "--path", "/mcp",
                                                           "--name", "after"])
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        throw lastError ?? TestFailure("could not start the 2026-07-28 server on port \(port)")
    }
}
