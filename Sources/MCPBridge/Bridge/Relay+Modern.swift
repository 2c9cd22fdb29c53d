import Logging
import BridgeWire
import BridgeHTTP

extension Relay {
    /// The 2026-07-28 routing headers for a modern request (none for a legacy one).
    func modernHeaders(for request: HostRequest) -> [HTTPHeader] {
        guard let modern = request.modern else { return [] }
        var parameters: [HTTPHeader] = []
        if let tool = request.toolName, let schema = toolHeaders.schema(for: tool) {
            parameters = schema.headers(arguments: modern.arguments, in: request.bytes)
        }
        return modern.headers(parameters: parameters)
    }

    /// Re-reads the server's tool list (all pages) on the host's behalf, with the host's own `_meta`, so the
    /// cached `x-mcp-header` schemas match the server's. Nothing reaches stdout.
    func refreshToolHeaders(for request: HostRequest, modern: ModernRequest) async {
        let meta = String(decoding: request.bytes[modern.meta], as: UTF8.self)
        var cursor: String?
        for page in 0..<20 {
            let cursorPart = cursor.map { #","cursor":"# + JSONString.quote($0) } ?? ""
            let text = #"{"jsonrpc":"2.0","id":"mcp-bridge-tools-\#(page)","method":"tools/list","params":{"_meta":"#
                + meta + cursorPart + "}}"
            let bytes = Array(text.utf8)
            guard let envelope = try? Envelope.classify(bytes),
                  let listing = ModernRequest(bytes, envelope: envelope) else { return }
            let post = endpoint.post(bytes, session: await session.snapshot(),
                                     extraHeaders: listing.headers(parameters: []), timeout: .seconds(30))
            var next: String?
            do {
                try await endpoint.send(post, ExchangeContext(label: "tools/list (header refresh)")) { response in
                    guard (200..<300).contains(response.status), let format = ReplyReader.format(of: response.head)
                    else { return }
                    _ = try await reader.read(format, from: &response) { message in
                        guard message.envelope.kind == .response, !message.envelope.isError else { return }
                        _ = toolHeaders.learn(from: message)
                        next = message.envelope.result.flatMap {
                            Envelope.string(atPath: ["nextCursor"], in: message.bytes, root: $0)
                        }
                    }
                }
            } catch {
                logger.debug("refreshing the tool list failed", metadata: ["error": "\(error)"])
                return
            }
            guard let next else { return }
            cursor = next
        }
    }

    /// A modern `tools/list` result: learn the header schemas and drop tools whose annotations are invalid.
    func adaptModernToolList(_ message: ServerMessage, bytes: [UInt8]) -> [UInt8] {
        let invalid = toolHeaders.learn(from: message)
        guard !invalid.isEmpty else { return bytes }
        for (name, reason) in invalid.sorted(by: { $0.key < $1.key }) {
            logger.warning("hiding a tool with an invalid x-mcp-header", metadata: ["tool": "\(name)",
                                                                                    "reason": "\(reason)"])
        }
        let envelope = (try? Envelope.classify(bytes)) ?? message.envelope
        return ToolListFilter.removing(from: ServerMessage(bytes: bytes, envelope: envelope)) { invalid[$0] != nil }
    }
}
