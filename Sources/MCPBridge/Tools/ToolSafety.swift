import BridgeWire
import Synchronization

/// Which tools the server declared free of side effects, learned from `tools/list` results.
///
/// The retry rule needs it: a `tools/call` that may have reached a server is re-sent only when its tool is
/// annotated `readOnlyHint: true` or `idempotentHint: true`. Unknown tools are assumed unsafe.
final class ToolSafety: Sendable {
    private let repeatable = Mutex<Set<String>>([])

    /// Records the annotations of every tool in a `tools/list` result (later pages add to earlier ones).
    func learn(from message: ServerMessage) {
        let bytes = message.bytes
        guard let result = message.envelope.result,
              let tools = try? JSONScanner.value(atPath: ["tools"], in: bytes, root: result), tools.kind == .array,
              let elements = try? JSONScanner.elements(of: tools.range, in: bytes)
        else { return }
        var safe: [String: Bool] = [:]
        for element in elements {
            guard let name = Envelope.string(atPath: ["name"], in: bytes, root: element.range) else { continue }
            safe[name] = Self.isTrue(["annotations", "readOnlyHint"], in: bytes, root: element.range)
                || Self.isTrue(["annotations", "idempotentHint"], in: bytes, root: element.range)
        }
        repeatable.withLock { set in
            for (name, isSafe) in safe {
                if isSafe { set.insert(name) } else { set.remove(name) }
            }
        }
    }

    func isRepeatable(_ tool: String) -> Bool {
        repeatable.withLock { $0.contains(tool) }
    }

    private static func isTrue(_ path: [String], in bytes: [UInt8], root: Range<Int>) -> Bool {
        guard let value = try? JSONScanner.value(atPath: path, in: bytes, root: root), value.kind == .bool else {
            return false
        }
        return bytes[value.range.lowerBound] == UInt8(ascii: "t")
    }
}
