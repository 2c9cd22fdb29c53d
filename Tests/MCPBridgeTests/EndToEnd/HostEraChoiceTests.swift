import Foundation
import Testing

/// With default flags, a 2025 host of a dual-era server (the SDK's MCPServer) gets everything it gets talking to the
/// server directly, and translation only where it adds something (README "Protocol eras"):
/// - a server that keeps a session is relayed in the host's era, as written: the server sees the session and its
///   requests mid-call (`ctx.elicit`, sampling, roots) reach the host;
/// - a server that keeps no session is translated to 2026-07-28, where `input_required` still asks the host, and the
///   host's `initialize` is answered with the server's own answer.
@Suite("A 2025 host's era")
struct HostEraChoiceTests {
    static let initialize = #"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","#
        + #""capabilities":{"elicitation":{},"sampling":{},"roots":{"listChanged":true}},"#
        + #""clientInfo":{"name":"e2e","version":"1"}}}"#

    @Test func aStatefulServerKeepsTheHostsSessionAndAsksItMidCall() async throws {
        let server = try await SharedServers.stateful.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        try bridge.send(Self.initialize)
        let (initialized, _) = try await bridge.readResponse(id: 1)
        #expect(initialized.result?["protocolVersion"] as? String == "2025-06-18", "\(initialized)")
        try bridge.send(Messages.initialized)

        try bridge.send(Messages.call(id: 2, tool: "request_headers"))
        let headers = try await Self.headers(in: bridge.readResponse(id: 2).response)
        #expect(headers["mcp-session-id"] != nil, "the server saw the host's session: \(headers)")
        #expect(headers["mcp-protocol-version"] == "2025-06-18", "\(headers)")

        let asks: [(tool: String, method: String, answer: [String: Any], text: String)] = [
            ("ask_name_direct", "elicitation/create", ["action": "accept", "content": ["name": "Ada"]], "hello Ada"),
            ("sample_haiku", "sampling/createMessage",
             ["role": "assistant", "model": "host-model", "content": ["type": "text", "text": "arches over water"]],
             "sampled: arches over water"),
            ("host_roots", "roots/list", ["roots": [["uri": "file:///work/project", "name": "project"]]],
             "roots: file:///work/project"),
        ]
        for (offset, ask) in asks.enumerated() {
            let id = 10 + offset
            try bridge.send(Messages.call(id: id, tool: ask.tool))
            let request = try await bridge.readMessage()
            #expect(request["method"] as? String == ask.method, "\(ask.tool): \(request)")
            let requestID = try #require(request["id"], "a server request carries an id: \(request)")
            try bridge.answerServerRequest(id: requestID, result: ask.answer)
            let (response, _) = try await bridge.readResponse(id: id)
            #expect(response.toolText == ask.text, "the host's answer reached \(ask.tool): \(response)")
        }

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "\(later)")
        #expect(!bridge.stderr.text.contains("translates to it"), "no switch: \(bridge.stderr.text)")
    }

    @Test func aStatelessServerIsTranslatedAndItsOwnInitializeAnswerReachesTheHost() async throws {
        let server = try await SharedServers.stateless.value
        let url = server.url(SharedServers.mcpPath)
        let direct = try Self.result(ofReply: FaultTools.post(Self.initialize, to: url))
        let bridge = try BridgeProcess([url])
        try bridge.send(Self.initialize)
        let (initialized, _) = try await bridge.readResponse(id: 1)
        let relayed = try #require(initialized.result, "\(initialized)")
        #expect(NSDictionary(dictionary: relayed).isEqual(to: direct),
                "the server's own initialize result: \(relayed) vs \(direct)")
        try bridge.send(Messages.initialized)

        try bridge.send(Messages.call(id: 2, tool: "request_headers"))
        let headers = try await Self.headers(in: bridge.readResponse(id: 2).response)
        #expect(headers["mcp-protocol-version"] == "2026-07-28", "translated: \(headers)")
        #expect(headers["mcp-session-id"] == nil, "\(headers)")

        // What translation adds: the server's question reaches the host through `input_required`.
        try bridge.send(Messages.call(id: 3, tool: "ask_name"))
        let request = try await bridge.readMessage()
        #expect(request["method"] as? String == "elicitation/create", "\(request)")
        let requestID = try #require(request["id"], "\(request)")
        try bridge.answerServerRequest(id: requestID, result: ["action": "accept", "content": ["name": "Grace"]])
        let (response, _) = try await bridge.readResponse(id: 3)
        #expect(response.toolText == "hello Grace", "\(response)")

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "\(later)")
    }

    /// The tool's JSON text (`request_headers`) as a dictionary.
    static func headers(in response: [String: Any]) throws -> [String: String] {
        let text = try #require(response.toolText, "\(response)")
        return try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: String], "\(text)")
    }

    /// The `result` of the one JSON-RPC response in a reply body, JSON or SSE.
    static func result(ofReply body: Data) throws -> [String: Any] {
        let text = String(decoding: body, as: UTF8.self)
        let json = text.hasPrefix("{") ? text : text.split(whereSeparator: \.isNewline)
            .first { $0.hasPrefix("data:") && $0.contains(#""result""#) }
            .map { String($0.dropFirst(5)) } ?? ""
        let object = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        return try #require(object?["result"] as? [String: Any], "no result in \(text)")
    }
}
