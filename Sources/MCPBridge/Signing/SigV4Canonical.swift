/// The parts of SigV4's canonical request that come from the URL, spelled exactly as AWS's SDKs spell them for
/// services other than S3 (botocore's `SigV4Auth`): AWS recomputes the same text from what it received and
/// compares signatures, so one byte of difference is a 403.
enum SigV4Canonical {
    /// The path with dot segments and repeated slashes removed, then percent-encoded once more. An already encoded
    /// path (AgentCore Runtime's `/runtimes/arn%3Aaws%3A…/invocations`) is therefore encoded twice (`%253A`), which
    /// is what AWS expects and what libcurl before 8.14 got wrong.
    static func path(_ rawPath: String) -> String {
        let segments = rawPath.split(separator: "/", omittingEmptySubsequences: true)
        var kept: [Substring] = []
        for segment in segments where segment != "." {
            if segment == ".." {
                if !kept.isEmpty { kept.removeLast() }
            } else {
                kept.append(segment)
            }
        }
        guard !kept.isEmpty else { return "/" }
        var normalized = "/" + kept.joined(separator: "/")
        if rawPath.hasSuffix("/") { normalized += "/" }
        return encode(normalized, keepingSlash: true)
    }

    /// The query's parameters decoded, re-encoded with only RFC 3986's unreserved characters left bare, and sorted
    /// by name, then value: the order in the URL does not matter (libcurl before 8.3 signed it as written).
    static func query(_ rawQuery: String?) -> String {
        guard let rawQuery, !rawQuery.isEmpty else { return "" }
        var pairs: [(String, String)] = []
        for parameter in rawQuery.split(separator: "&", omittingEmptySubsequences: true) {
            let name: Substring
            let value: Substring
            if let equals = parameter.firstIndex(of: "=") {
                name = parameter[..<equals]
                value = parameter[parameter.index(after: equals)...]
            } else {
                (name, value) = (parameter, "")
            }
            pairs.append((encode(decode(name), keepingSlash: false), encode(decode(value), keepingSlash: false)))
        }
        // Encoded text is ASCII, so byte order is the code-point order AWS sorts by.
        pairs.sort { $0.0 != $1.0 ? $0.0 < $1.0 : $0.1 < $1.1 }
        return pairs.map { "\($0.0)=\($0.1)" }.joined(separator: "&")
    }

    /// A header value as signed: surrounding whitespace dropped and inner runs of spaces and tabs collapsed to one
    /// space (botocore's `' '.join(value.split())`).
    static func headerValue(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }).joined(separator: " ")
    }

    /// Percent-encodes every byte outside A–Z a–z 0–9 `-._~` (and `/` when `keepingSlash`), upper-case hex.
    static func encode(_ text: String, keepingSlash: Bool) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            if isUnreserved(byte) || (keepingSlash && byte == UInt8(ascii: "/")) {
                out.append(byte)
            } else {
                out.append(UInt8(ascii: "%"))
                out.append(hexDigits[Int(byte >> 4)])
                out.append(hexDigits[Int(byte & 0x0F)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Percent-decoding as a server decodes a query component (`+` stays `+`; a malformed escape stays as written).
    static func decode(_ text: Substring) -> String {
        let bytes = Array(text.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "%"), let high = hexValue(bytes, i + 1), let low = hexValue(bytes, i + 2) {
                out.append(high << 4 | low)
                i += 3
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func hexValue(_ bytes: [UInt8], _ index: Int) -> UInt8? {
        guard index < bytes.count else { return nil }
        switch bytes[index] {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): return bytes[index] - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): return bytes[index] - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): return bytes[index] - UInt8(ascii: "A") + 10
        default: return nil
        }
    }

    private static func isUnreserved(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
             UInt8(ascii: "~"):
            true
        default:
            false
        }
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)
}
