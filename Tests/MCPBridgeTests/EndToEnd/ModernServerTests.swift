import Foundation
import Testing

/// A 2026-07-28 host talking to a 2026-07-28 server (the official SDK's modern mode) through the bridge:
/// requests pass through untouched and gain the routing headers the spec requires.
@Suite("Modern (2026-07-28) pass-through")
struct ModernServerTests {
    static let meta = #""_meta":{"io.modelcontextprotocol/protocolVersion":"2026-07-28","#
        + #""io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"e2e","#
        + #""version":"1"}}"#

    static func request(id: Int, method: String, params: String = "") -> String {
        let inner = params.isEmpty ? meta : params + "," + meta
        return #"{"jsonrpc":"2.0","id":\#(id),"method":"\#(method)","params":{\#(inner)}}"#
    }

    @Test func discoverListAndCallWithoutInitialize() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        try bridge.send(Self.request(id: 1, method: "server/discover"))
        let (discover, _) = try await bridge.readResponse(id: 1)
        #expect((discover.result?["supportedVersions"] as? [String])?.contains("2026-07-28") == true)
        try bridge.send(Self.request(id: 2, method: "tools/call",
                                     params: #""name":"echo","arguments":{"text":"modern"}"#))
        let (call, _) = try await bridge.readResponse(id: 2)
        #expect(call.toolText == "modern")
        #expect(call.result?["resultType"] as? String == "complete")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    /// `lookup_region` declares `x-mcp-header` on its arguments: the server rejects a call whose `Mcp-Param-*`
    /// headers are missing or differ, so an answer proves the bridge sent them (base64 for non-ASCII values),
    /// whether or not the host listed the tools first.
    @Test(arguments: [false, true])
    func toolCallsCarryTheirParameterHeaders(listFirst: Bool) async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        if listFirst {
            try bridge.send(Self.request(id: 1, method: "tools/list"))
            _ = try await bridge.readResponse(id: 1)
        }
        try bridge.send(Self.request(id: 2, method: "tools/call",
                                     params: #""name":"lookup_region","arguments":{"region":"Zürich ","limit":3}"#))
        let (call, _) = try await bridge.readResponse(id: 2)
        #expect(call.toolText == "Zürich :3", "\(call)")
    }

    @Test func progressNotificationsArriveBeforeTheResult() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        let params = #""name":"progress","arguments":{"steps":3},"_meta":{"progressToken":"p","#
            + #""io.modelcontextprotocol/protocolVersion":"2026-07-28","io.modelcontextprotocol/clientCapabilities":{}}"#
        try bridge.send(#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{\#(params)}}"#)
        let (result, before) = try await bridge.readResponse(id: 5)
        #expect(before.filter { $0["method"] as? String == "notifications/progress" }.count == 3)
        #expect(result.toolText == "done")
    }

    /// `subscriptions/listen` is a long-lived stream; when it drops without a result (here: the server restarts)
    /// the bridge listens again under the same id and says so on stderr.
    @Test func aDroppedSubscriptionIsListenedAgain() async throws {
        let first = try await ServerProcess(script: "mcp_server.py", arguments: ["--port", "0", "--name", "before"])
        let port = first.port
        let bridge = try BridgeProcess([first.url(SharedServers.mcpPath)])
        try bridge.send(Self.request(id: 1, method: "subscriptions/listen",
                                     params: #""notifications":{"toolsListChanged":true}"#))
        let acknowledged = try await bridge.readMessage()
        #expect(acknowledged["method"] as? String == "notifications/subscriptions/acknowledged", "\(acknowledged)")
        try await first.stopAndWait()
        var second: ServerProcess?
        for _ in 0..<40 where second == nil {
            second = try? await ServerProcess(script: "mcp_server.py", arguments: ["--port", "\(port)", "--name", "after"])
            if second == nil { try await Task.sleep(for: .milliseconds(250)) }
        }
        let again = try await bridge.readMessage(timeout: .seconds(90))
        #expect(again["method"] as? String == "notifications/subscriptions/acknowledged", "\(again)")
        #expect(bridge.stderr.text.contains("subscription stream dropped; listening again"))
        try bridge.send(Messages.cancelled(requestID: 1))
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        second?.stop()
    }
}
