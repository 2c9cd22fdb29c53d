import BridgeWire
import Logging

/// Everything the bridge knows about the server's tools, learned from one walk of each `tools/list` result: which
/// are hidden (`--ignore-tool`), which are safe to repeat (retries), and their 2026-07-28 `x-mcp-header` schemas.
final class ToolCatalog: Sendable {
    let filter: ToolFilter
    private let safety = ToolSafety()
    private let headers = ToolHeaderCache()
    private let logger: Logger

    init(filter: ToolFilter, logger: Logger) {
        self.filter = filter
        self.logger = logger
    }

    /// Whether `--ignore-tool` hides `name`.
    func hides(_ name: String) -> Bool {
        !filter.isEmpty && filter.hides(name)
    }

    func isRepeatable(_ tool: String) -> Bool {
        safety.isRepeatable(tool)
    }

    func headerSchema(for tool: String) -> ToolHeaderSchema? {
        headers.schema(for: tool)
    }

    /// A successful `tools/list` answer for the host: learn from it, then drop hidden tools and (for a 2026-07-28
    /// request) tools whose header annotations are invalid, as that spec requires.
    func adapt(_ message: ServerMessage, modern: Bool) -> [UInt8] {
        safety.learn(from: message)
        var bytes = filter.isEmpty ? message.bytes : ToolListFilter.removing(filter, from: message)
        guard modern else { return bytes }
        let invalid = headers.learn(from: message)
        guard !invalid.isEmpty else { return bytes }
        for (name, reason) in invalid.sorted(by: { $0.key < $1.key }) {
            logger.warning("hiding a tool with an invalid x-mcp-header", metadata: ["tool": "\(name)",
                                                                                    "reason": "\(reason)"])
        }
        let envelope = (try? Envelope.classify(bytes)) ?? message.envelope
        bytes = ToolListFilter.removing(from: ServerMessage(bytes: bytes, envelope: envelope)) { invalid[$0] != nil }
        return bytes
    }

    /// A `tools/list` page the bridge read for itself (header refresh): only the schemas matter.
    func learnHeaders(from message: ServerMessage) {
        _ = headers.learn(from: message)
    }
}
