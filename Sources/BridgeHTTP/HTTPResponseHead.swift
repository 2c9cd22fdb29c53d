/// Status line and headers of a final (non-1xx) response.
package struct HTTPResponseHead: Sendable {
    package var status: Int
    /// "1.1", "2" …, as libcurl reports the version actually used.
    package var httpVersion: String
    /// Header lines in arrival order; names as the server spelled them.
    var headers: [(name: String, value: String)]

    /// The first value of a header, matched case-insensitively as HTTP requires (ASCII folding, no copies:
    /// this runs several times per reply).
    package func value(for name: String) -> String? {
        headers.first { Self.namesEqual($0.name, name) }?.value
    }

    /// The media type without parameters, lower-cased: `text/event-stream; charset=utf-8` → `text/event-stream`.
    /// Scanned as bytes, and the usual bare lower-case value is returned as is: this runs on every reply.
    package var mediaType: String? {
        guard let raw = value(for: "content-type") else { return nil }
        let bytes = raw.utf8
        var type = bytes[..<(bytes.firstIndex(of: 0x3B) ?? bytes.endIndex)]  // up to ";"
        while let first = type.first, first == 0x20 || first == 0x09 { type = type.dropFirst() }
        while let last = type.last, last == 0x20 || last == 0x09 { type = type.dropLast() }
        let lowerCase = !type.contains { $0 &- 0x41 < 26 || $0 >= 0x80 }
        if lowerCase, type.count == bytes.count { return raw }
        let text = String(Substring(type))
        return lowerCase ? text : text.lowercased()
    }

    private static func namesEqual(_ a: String, _ b: String) -> Bool {
        if a.utf8.contains(where: { $0 >= 0x80 }) || b.utf8.contains(where: { $0 >= 0x80 }) {
            return a.lowercased() == b.lowercased()  // not a token; keep Unicode case folding
        }
        return a.utf8.count == b.utf8.count && a.utf8.elementsEqual(b.utf8) { foldASCII($0) == foldASCII($1) }
    }

    private static func foldASCII(_ byte: UInt8) -> UInt8 {
        byte &- 0x41 < 26 ? byte | 0x20 : byte
    }
}
