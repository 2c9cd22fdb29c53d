import BridgeWire

/// Removes tools from a `tools/list` result: those hidden with `--ignore-tool`, and (2026-07-28) those whose
/// `x-mcp-header` annotations are invalid.
///
/// The one place the bridge changes a server's message, because the user or the spec asks it to. Only the array
/// of tools is rebuilt, from the kept elements' original bytes; everything else stays byte for byte.
enum ToolListFilter {
    static func removing(_ filter: ToolFilter, from message: ServerMessage) -> [UInt8] {
        removing(from: message) { filter.hides($0) }
    }

    static func removing(from message: ServerMessage, where hide: (String) -> Bool) -> [UInt8] {
        let bytes = message.bytes
        guard let result = message.envelope.result,
              let tools = try? JSONScanner.value(atPath: ["tools"], in: bytes, root: result),
              tools.kind == .array,
              let elements = try? JSONScanner.elements(of: tools.range, in: bytes)
        else { return bytes }
        let kept = elements.filter { element in
            guard let name = Envelope.string(atPath: ["name"], in: bytes, root: element.range) else { return true }
            return !hide(name)
        }
        guard kept.count != elements.count else { return bytes }
        var rebuilt = Array(bytes[..<tools.range.lowerBound])
        rebuilt.append(UInt8(ascii: "["))
        for (index, element) in kept.enumerated() {
            if index > 0 { rebuilt.append(UInt8(ascii: ",")) }
            rebuilt.append(contentsOf: bytes[element.range])
        }
        rebuilt.append(UInt8(ascii: "]"))
        rebuilt.append(contentsOf: bytes[tools.range.upperBound...])
        return rebuilt
    }
}
