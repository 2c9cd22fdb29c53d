import BridgeHTTP

extension ServerHeaderValue {
    /// The session id of an `initialize` answer (an empty one is no session), or the error that refuses it.
    package static func sessionID(_ value: String?) throws(BridgeError) -> String? {
        guard let value, !value.isEmpty else { return nil }
        guard !isAllowed(value) else { return value }
        throw BridgeError(.protocolViolation, "the server's \(HeaderName.sessionID) holds bytes outside visible ASCII "
            + "(0x21-0x7E: \(describe(value))), which the MCP specification forbids and which mcp-bridge would have "
            + "to send back in every request's headers; it refused the session: fix the server's session ids")
    }
}
