/// Removes tools hidden with `--ignore-tool` from a `tools/list` result.
///
/// The one place the bridge changes a server's message, because the user asked it to. Only the array of tools is
/// rebuilt, from the kept elements' original bytes; everything else in the message stays byte for byte.
enum ToolListFilter {
    static func removing(_ filter: ToolFilter, from message: ServerMessage) -> [UInt8] {
        let bytes = message.bytes
        guard let result = message.envelope.result,
              let tools = try? JSONScanner.value(atPath: ["tools"], in: bytes, root: result),
              tools.kind == .array,
              let elements = try? JSONScanner.elements(of: tools.range, in: bytes)
        else { return bytes }
        let kept = elements.filter { element in
            guard let name = Envelope.string(atPath: ["name"], in: bytes, root: element.range) else { return true }
            return !filter.hides(name)
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
