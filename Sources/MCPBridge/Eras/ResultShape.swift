import BridgeWire

/// What each era's schema requires of a result, applied where a result crosses from one era to the other.
///
/// 2026-07-28 requires `resultType` on every result, and `ttlMs` + `cacheScope` on the cacheable ones (the lists and
/// `resources/read`); strict clients (the SDK 2.x's, fastmcp's) reject a result without them. A 2025 server sends
/// none, so a 2026-07-28 host gets them added: `complete`, and the most cautious cache hints (`0`: stale at once,
/// `private`: never shared across authorization contexts), which promise nothing the server did not say. The
/// other way, a 2025 host gets a 2026-07-28 server's result without those members and without the `serverInfo`
/// stamp in `_meta`: what the same server answers it in its own era. Each is a splice of the server's bytes.
enum ResultShape {
    static let cacheable: Set<String> = [
        "tools/list", "prompts/list", "resources/list", "resources/templates/list", "resources/read",
    ]
    private static let modernOnly: Set<String> = ["resultType", "ttlMs", "cacheScope"]

    /// A 2025 server's answer to `method`, valid for a 2026-07-28 host.
    static func forModernHost(_ message: ServerMessage, method: String) -> ServerMessage {
        guard let result = message.envelope.result, message.envelope.kind == .response,
              message.bytes[result.lowerBound] == UInt8(ascii: "{"),
              let members = try? JSONScanner.members(of: result, in: message.bytes) else { return message }
        let present = Set(members.map(\.key))
        var added: [String] = []
        if !present.contains("resultType") { added.append(#""resultType":"complete""#) }
        if cacheable.contains(method) {
            if !present.contains("ttlMs") { added.append(#""ttlMs":0"#) }
            if !present.contains("cacheScope") { added.append(#""cacheScope":"private""#) }
        }
        guard !added.isEmpty, let bytes = MessageSplice.addingResult(added.joined(separator: ","), to: message.bytes)
        else { return message }
        return reclassified(bytes, else: message)
    }

    /// A 2026-07-28 server's complete answer, as the same server would answer a 2025 host.
    static func forLegacyHost(_ message: ServerMessage) -> ServerMessage {
        guard message.envelope.kind == .response, message.envelope.result != nil else { return message }
        var bytes = message.bytes
        if let trimmed = MessageSplice.removingMembers(modernOnly, atPath: ["result"], in: bytes) { bytes = trimmed }
        let meta = ["result", "_meta"]
        if let trimmed = MessageSplice.removingMembers([ProtocolVersions.MetaKey.serverInfo], atPath: meta, in: bytes) {
            bytes = trimmed
            if let range = objectRange(meta, in: bytes), (try? JSONScanner.members(of: range, in: bytes))?.isEmpty == true,
               let without = MessageSplice.removingMembers(["_meta"], atPath: ["result"], in: bytes) {
                bytes = without
            }
        }
        return bytes == message.bytes ? message : reclassified(bytes, else: message)
    }

    private static func objectRange(_ path: [String], in bytes: [UInt8]) -> Range<Int>? {
        guard let value = try? JSONScanner.value(atPath: path, in: bytes), value.kind == .object else { return nil }
        return value.range
    }

    private static func reclassified(_ bytes: [UInt8], else original: ServerMessage) -> ServerMessage {
        guard let envelope = try? Envelope.classify(bytes) else { return original }
        return ServerMessage(bytes: bytes, envelope: envelope)
    }
}
