import BridgeWire

/// What a 2026-07-28 server said about itself in its `server/discover` result, kept as the server's own bytes.
///
/// A legacy host's `initialize` is answered from it (capabilities, serverInfo and instructions copied verbatim),
/// and the capabilities decide which list-changed notifications the bridge subscribes to for that host.
struct DiscoverFacts: Sendable {
    /// The modern version the bridge speaks to this server.
    var version: String
    private var message: [UInt8]
    private var capabilities: Range<Int>?
    private var serverInfo: Range<Int>?
    private var instructions: Range<Int>?

    /// Nil unless `message` is a successful response whose `supportedVersions` names a modern version the bridge
    /// implements: nothing else is evidence of a 2026-07-28 server.
    init?(_ message: ServerMessage) {
        guard message.envelope.kind == .response, let result = message.envelope.result,
              let versions = try? JSONScanner.value(atPath: ["supportedVersions"], in: message.bytes, root: result),
              versions.kind == .array
        else { return nil }
        let supported = ((try? JSONScanner.elements(of: versions.range, in: message.bytes)) ?? []).compactMap {
            $0.kind == .string ? try? JSONScanner.string(at: $0.range, in: message.bytes) : nil
        }
        guard let version = ProtocolVersions.modern.last(where: supported.contains) else { return nil }
        self.version = version
        self.message = message.bytes
        func range(_ path: [String], _ kind: JSONValueKind) -> Range<Int>? {
            guard let value = try? JSONScanner.value(atPath: path, in: message.bytes, root: result),
                  value.kind == kind else { return nil }
            return value.range
        }
        capabilities = range(["capabilities"], .object)
        serverInfo = range(["_meta", ProtocolVersions.MetaKey.serverInfo], .object)
        instructions = range(["instructions"], .string)
    }

    var capabilitiesJSON: String { text(capabilities) ?? "{}" }
    var serverInfoJSON: String? { text(serverInfo) }
    var instructionsJSON: String? { text(instructions) }

    /// Whether `capabilities.<area>.<flag>` is `true`, e.g. `tools.listChanged`.
    func capability(_ area: String, _ flag: String) -> Bool {
        guard let capabilities,
              let value = try? JSONScanner.value(atPath: [area, flag], in: message, root: capabilities) else {
            return false
        }
        return value.kind == .bool && message[value.range.lowerBound] == UInt8(ascii: "t")
    }

    private func text(_ range: Range<Int>?) -> String? {
        range.map { String(decoding: message[$0], as: UTF8.self) }
    }
}
