extension Envelope {
    /// Reads a nested integer such as `["error", "code"]`; nil when missing, not an integer, or out of range.
    package static func number(atPath path: [String], in bytes: [UInt8], root: Range<Int>? = nil) -> Int? {
        guard let value = try? JSONScanner.value(atPath: path, in: bytes, root: root), value.kind == .number else {
            return nil
        }
        return Int(String(decoding: bytes[value.range], as: UTF8.self))
    }
}
