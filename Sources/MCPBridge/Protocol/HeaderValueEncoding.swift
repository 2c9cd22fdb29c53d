/// How MCP 2026-07-28 carries a value in an HTTP header (`Mcp-Name`, `Mcp-Param-*`).
///
/// Plain visible ASCII without leading or trailing whitespace goes as is; anything else (non-ASCII, control
/// characters, edge whitespace, or a value that itself looks like the sentinel) is sent as
/// `=?base64?<base64 of the UTF-8 bytes>?=` so the server recovers the exact bytes.
enum HeaderValueEncoding {
    static func encode(_ value: String) -> String {
        let bytes = Array(value.utf8)
        let visible = bytes.allSatisfy { (0x20...0x7E).contains($0) }
        let trimmed = bytes.first != 0x20 && bytes.last != 0x20
        let looksLikeSentinel = value.hasPrefix("=?base64?") && value.hasSuffix("?=")
        if visible && trimmed && !looksLikeSentinel { return value }
        return "=?base64?" + base64(bytes) + "?="
    }

    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    /// Standard base64 with padding (RFC 4648 §4).
    static func base64(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index < bytes.count {
            let chunk = bytes[index..<min(index + 3, bytes.count)]
            let b0 = chunk[chunk.startIndex]
            let b1 = chunk.count > 1 ? chunk[chunk.startIndex + 1] : 0
            let b2 = chunk.count > 2 ? chunk[chunk.startIndex + 2] : 0
            out.append(alphabet[Int(b0 >> 2)])
            out.append(alphabet[Int((b0 & 0x03) << 4 | b1 >> 4)])
            out.append(chunk.count > 1 ? alphabet[Int((b1 & 0x0F) << 2 | b2 >> 6)] : UInt8(ascii: "="))
            out.append(chunk.count > 2 ? alphabet[Int(b2 & 0x3F)] : UInt8(ascii: "="))
            index += 3
        }
        return String(decoding: out, as: UTF8.self)
    }
}
