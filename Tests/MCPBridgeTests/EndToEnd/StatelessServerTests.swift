import Foundation
import Testing

/// The seed deployment: a stateless FastMCP server, driven through the bridge as a desktop host drives it.
@Suite("Stateless FastMCP server")
struct StatelessServerTests {
    @Test func initializeListAndCallAToolThroughTheBridge() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        let initialize = try await bridge.handshake()
        #expect(initialize.result?["protocolVersion"] as? String == "2025-06-18")
        try bridge.send(Messages.toolsList(id: 2))
        let (tools, _) = try await bridge.readResponse(id: 2)
        let names = (tools.result?["tools"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
        #expect(names.contains("list_indices"))
        try bridge.send(Messages.call(id: 3, tool: "list_indices"))
        let (call, _) = try await bridge.readResponse(id: 3)
        #expect(call.toolText?.contains("logs-2026.11") == true)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func aSlowCallNeverDelaysAFastOne() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        // A wide margin: the shared server is also serving the rest of the suite on two cores.
        try bridge.send(Messages.call(id: 10, tool: "slow", arguments: #"{"seconds":6}"#))
        try bridge.send(Messages.call(id: 11, tool: "echo", arguments: #"{"text":"fast"}"#))
        let first = try await bridge.readMessage()
        #expect(first["id"] as? Int == 11)
        let second = try await bridge.readMessage()
        #expect(second["id"] as? Int == 10)
    }
}
