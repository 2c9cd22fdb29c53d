import BridgeWire
import Synchronization

/// The `x-mcp-header` schemas of the server's tools, learned from modern `tools/list` results, so each modern
/// `tools/call` can carry its `Mcp-Param-*` headers.
final class ToolHeaderCache: Sendable {
    private let schemas = Mutex<[String: ToolHeaderSchema]>([:])

    /// Records every tool of a `tools/list` result; returns the tools whose annotations are invalid, with the
    /// reason, which the spec says a client must drop from the list it shows.
    func learn(from message: ServerMessage) -> [String: String] {
        let bytes = message.bytes
        guard let result = message.envelope.result,
              let tools = try? JSONScanner.value(atPath: ["tools"], in: bytes, root: result), tools.kind == .array,
              let elements = try? JSONScanner.elements(of: tools.range, in: bytes)
        else { return [:] }
        var learned: [String: ToolHeaderSchema] = [:]
        var invalid: [String: String] = [:]
        for element in elements {
            guard let name = Envelope.string(atPath: ["name"], in: bytes, root: element.range) else { continue }
            guard let schema = try? JSONScanner.value(atPath: ["inputSchema"], in: bytes, root: element.range) else {
                learned[name] = ToolHeaderSchema(parameters: [])
                continue
            }
            do {
                learned[name] = try ToolHeaderSchema.read(schema.range, in: bytes)
            } catch {
                invalid[name] = error.reason
            }
        }
        schemas.withLock { cache in
            cache.merge(learned) { _, new in new }
            for name in invalid.keys { cache.removeValue(forKey: name) }
        }
        return invalid
    }

    func schema(for tool: String) -> ToolHeaderSchema? {
        schemas.withLock { $0[tool] }
    }
}
