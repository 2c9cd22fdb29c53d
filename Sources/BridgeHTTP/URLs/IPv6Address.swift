/// Just enough IPv6 literal parsing to tell the loopback address apart from everything else.
///
/// Comparing text would accept `[::1]` but miss `[0:0:0:0:0:0:0:1]`, and would not notice an invalid literal that
/// the HTTP layer later rejects with a far less helpful message. Zone identifiers (`%eth0`) are refused: they only
/// make sense for link-local addresses, never for a server URL.
enum IPv6Address {
    /// `::1` as eight 16-bit groups.
    static let loopback: [UInt16] = [0, 0, 0, 0, 0, 0, 0, 1]

    /// The eight groups of `text` (without brackets), or `nil` if it is not a valid IPv6 address.
    static func groups(of text: Substring) -> [UInt16]? {
        let gaps = text.ranges(of: "::")
        switch gaps.count {
        case 0:
            guard let groups = pieces(of: text), groups.count == 8 else { return nil }
            return groups
        case 1:
            let gap = gaps[0]
            guard let head = pieces(of: text[..<gap.lowerBound]), let tail = pieces(of: text[gap.upperBound...])
            else { return nil }
            guard head.count + tail.count <= 7 else { return nil }
            return head + Array(repeating: 0, count: 8 - head.count - tail.count) + tail
        default:
            return nil
        }
    }

    /// Colon-separated hex groups; the last may be an embedded dotted quad (`::ffff:1.2.3.4`), counted as two.
    private static func pieces(of text: Substring) -> [UInt16]? {
        guard !text.isEmpty else { return [] }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        var groups: [UInt16] = []
        for (index, part) in parts.enumerated() {
            if index == parts.count - 1, part.contains(".") {
                guard let quad = embeddedIPv4(part) else { return nil }
                groups += quad
            } else {
                guard (1...4).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isHexDigit }),
                    let value = UInt16(part, radix: 16)
                else { return nil }
                groups.append(value)
            }
        }
        return groups
    }

    private static func embeddedIPv4(_ text: Substring) -> [UInt16]? {
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4 else { return nil }
        var octets: [UInt16] = []
        for part in parts {
            guard (1...3).contains(part.count), part.allSatisfy({ $0.isASCII && $0.isWholeNumber }),
                let value = UInt16(part), value <= 255
            else { return nil }
            octets.append(value)
        }
        return [octets[0] << 8 | octets[1], octets[2] << 8 | octets[3]]
    }
}
