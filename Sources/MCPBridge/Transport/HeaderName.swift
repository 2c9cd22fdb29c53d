/// Header names the bridge sets itself, spelled as the MCP specification spells them.
enum HeaderName {
    static let accept = "Accept"
    static let contentType = "Content-Type"
    static let userAgent = "User-Agent"
    static let sessionID = "Mcp-Session-Id"
    static let protocolVersion = "MCP-Protocol-Version"
    static let lastEventID = "Last-Event-ID"
}
