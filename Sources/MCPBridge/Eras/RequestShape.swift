import BridgeWire

/// A 2026-07-28 host's request as a 2025 server receives it: without the 2026-07-28 envelope in `params._meta`.
///
/// The envelope's keys (protocol version, client capabilities, client info, log level) say "this request is
/// 2026-07-28" to every server that knows them. On the bridge's 2025 session they say nothing the handshake did not,
/// and a server that speaks both eras behind a 2025-only front refuses them: mcp 2.x answers an enveloped request on
/// a handshake connection with -32600 ("requests carrying the 2026-07-28 envelope are not accepted on it"), and a
/// 2025 proxy such as `mcp-proxy` hands `_meta` on unchanged to the stdio server behind it (the reference
/// `mcp-server-time` is one). So the keys are spliced out, and an emptied `_meta` with them: the request the
/// server gets is the one a 2025 host of it would have sent. Every other `_meta` member (`progressToken`,
/// `traceparent`, a vendor's key) keeps its bytes, and so does everything else in the message.
enum RequestShape {
    static let envelopeKeys: Set<String> = [
        ProtocolVersions.MetaKey.protocolVersion, ProtocolVersions.MetaKey.clientCapabilities,
        ProtocolVersions.MetaKey.clientInfo, ProtocolVersions.MetaKey.logLevel,
    ]

    /// `bytes` (a 2026-07-28 request) without the envelope keys; unchanged when `_meta` holds none of them.
    static func forLegacyServer(_ bytes: [UInt8]) -> [UInt8] {
        let meta = ["params", "_meta"]
        guard let trimmed = MessageSplice.removingMembers(envelopeKeys, atPath: meta, in: bytes) else { return bytes }
        guard let value = try? JSONScanner.value(atPath: meta, in: trimmed), value.kind == .object,
              (try? JSONScanner.members(of: value.range, in: trimmed))?.isEmpty == true else { return trimmed }
        return MessageSplice.removingMembers(["_meta"], atPath: ["params"], in: trimmed) ?? trimmed
    }
}
