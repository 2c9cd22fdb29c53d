/// The MCP protocol versions the bridge knows, by era, and the 2026-07-28 `_meta` keys.
enum ProtocolVersions {
    /// Versions negotiated with `initialize` (oldest first).
    static let handshake = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
    /// Stateless versions, named per request in `_meta` (oldest first).
    static let modern = ["2026-07-28"]

    static var latestHandshake: String { handshake[handshake.count - 1] }
    static var latestModern: String { modern[modern.count - 1] }

    static func isHandshake(_ version: String) -> Bool { handshake.contains(version) }

    /// The 2026-07-28 `_meta` of a request the bridge sends on its own behalf (the era probe, `check`): `version`,
    /// no client capabilities, and mcp-bridge as the client (`clientName` names which part of it).
    static func bridgeMeta(version: String, clientName: String = "mcp-bridge") -> String {
        #"{"\#(MetaKey.protocolVersion)":"\#(version)","\#(MetaKey.clientCapabilities)":{},"#
            + #""\#(MetaKey.clientInfo)":{"name":"\#(clientName)","version":"\#(BridgeVersion.current)"}}"#
    }

    /// `_meta` keys every 2026-07-28 request carries (`basic/index.mdx` §_meta).
    enum MetaKey {
        static let protocolVersion = "io.modelcontextprotocol/protocolVersion"
        static let clientCapabilities = "io.modelcontextprotocol/clientCapabilities"
        static let clientInfo = "io.modelcontextprotocol/clientInfo"
        static let logLevel = "io.modelcontextprotocol/logLevel"
        static let serverInfo = "io.modelcontextprotocol/serverInfo"
        static let subscriptionID = "io.modelcontextprotocol/subscriptionId"
    }
}
