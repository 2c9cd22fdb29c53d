/// JSON string encoding for text the bridge authors itself (ids it echoes, its own error messages).
///
/// Escapes `"` and `\`, writes every control character as `\u00XX`, and leaves all other UTF-8 as is.
package enum JSONString {
    private static let hexDigits = Array("0123456789abcdef".utf8)

    package static func quote(_ value: String) -> String {
        var out: [UInt8] = [UInt8(ascii: "\"")]
        out.reserveCapacity(value.utf8.count + 2)
        for byte in value.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out.append(UInt8(ascii: "\\"))
                out.append(byte)
            case 0x00..<0x20:
                out.append(contentsOf: "\\u00".utf8)
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
        return String(decoding: out, as: UTF8.self)
    }
}
