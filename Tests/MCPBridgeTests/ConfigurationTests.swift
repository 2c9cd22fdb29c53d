import Testing

@testable import MCPBridge

struct ConfigurationTests {
    @Test func defaultsMatchTheDocumentedValues() {
        let c = BridgeConfiguration(serverURL: "http://127.0.0.1/mcp")
        #expect(c.connectTimeout == .seconds(10))
        #expect(c.drainTimeout == .seconds(30))
        #expect(c.maxMessageBytes == 64 * 1024 * 1024)
        #expect(c.userAgent.hasPrefix("mcp-bridge/"))
    }
}
