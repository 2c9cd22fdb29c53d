/// The validating hot loop behind `JSONScanner`: a position in a byte range plus RFC 8259's grammar.
///
/// Every stdin line and every server message goes through here, so it reads bytes through a raw pointer (no bounds
/// checks, no binding assumptions about the caller's memory), never allocates, and never recurses: nesting is a
/// bit per level in a fixed stack. Offsets are absolute in the caller's buffer so errors point at the real byte.
package struct JSONCursor {
    private let base: UnsafeRawPointer
    private let end: Int
    private(set) var position: Int
    /// Where the last member key's string text ended (before `:`), so callers can slice the key.
    private(set) var keyEnd = 0

    init(_ bytes: UnsafeRawBufferPointer, range: Range<Int>) {
        // An empty buffer may have no address; any valid pointer works because nothing will be read.
        base = bytes.baseAddress ?? UnsafeRawPointer(("" as StaticString).utf8Start)
        position = max(0, min(range.lowerBound, bytes.count))
        end = max(position, min(range.upperBound, bytes.count))
    }

    @inline(__always) private func byte(at offset: Int) -> UInt8 {
        base.load(fromByteOffset: offset, as: UInt8.self)
    }

    private func failure(_ reason: JSONScanError.Reason, at offset: Int? = nil) -> JSONScanError {
        JSONScanError(offset: offset ?? position, reason: reason)
    }

    @inline(__always) func peek() throws(JSONScanError) -> UInt8 {
        guard position < end else { throw failure(.unexpectedEnd) }
        return byte(at: position)
    }

    func peekKind() throws(JSONScanError) -> JSONValueKind {
        switch try peek() {
        case UInt8(ascii: "{"): .object
        case UInt8(ascii: "["): .array
        case UInt8(ascii: "\""): .string
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): .number
        case UInt8(ascii: "t"), UInt8(ascii: "f"): .bool
        case UInt8(ascii: "n"): .null
        case let other: throw failure(.unexpectedByte(other))
        }
    }

    @inline(__always) mutating func skipWhitespace() {
        while position < end {
            switch byte(at: position) {
            case 0x20, 0x0A, 0x0D, 0x09: position += 1
            default: return
            }
        }
    }

    mutating func expect(_ expected: UInt8) throws(JSONScanError) {
        let found = try peek()
        guard found == expected else { throw failure(.unexpectedByte(found)) }
        position += 1
    }

    /// Consumes the opening bracket of a container the caller walks itself (one level of depth already used).
    mutating func open(_ bracket: UInt8, kind: JSONValueKind) throws(JSONScanError) {
        guard try peek() == bracket else { throw failure(.kindMismatch(expected: kind)) }
        position += 1
        skipWhitespace()
    }

    /// After a member or element and its trailing whitespace: `true` (and positioned at the next one) on a comma.
    mutating func consumeComma() throws(JSONScanError) -> Bool {
        guard try peek() == UInt8(ascii: ",") else { return false }
        position += 1
        skipWhitespace()
        return true
    }

    /// Only whitespace may follow the value: a second value or garbage means the line was not one JSON text.
    mutating func finish() throws(JSONScanError) {
        skipWhitespace()
        guard position == end else { throw failure(.trailingContent) }
    }

    // MARK: Values

    /// Scans one value starting exactly at `position` and leaves `position` just past it.
    /// (Forced inline: on short lines the call overhead per member shows.)
    @inline(__always) mutating func scanValue(maximumDepth: Int) throws(JSONScanError) -> JSONValueKind {
        let kind = try peekKind()
        var stack = ContainerStack()
        while true {
            if try scanValueStart(&stack, maximumDepth: maximumDepth) { continue }
            // A value just ended: close containers until one of them expects another value.
            while stack.depth > 0 {
                skipWhitespace()
                if try consumeComma() {
                    break
                }
                try expect(stack.topIsObject ? UInt8(ascii: "}") : UInt8(ascii: "]"))
                stack.pop()
            }
            if stack.depth == 0 { return kind }
            if stack.topIsObject { _ = try scanMemberKey() }
        }
    }

    /// Scans a scalar or an empty container (returns `false`), or opens a non-empty container (returns `true`,
    /// positioned at its first value).
    private mutating func scanValueStart(
        _ stack: inout ContainerStack, maximumDepth: Int
    ) throws(JSONScanError) -> Bool {
        let first = try peek()
        switch first {
        case UInt8(ascii: "{"), UInt8(ascii: "["):
            guard stack.depth < maximumDepth else { throw failure(.tooDeep) }
            let isObject = first == UInt8(ascii: "{")
            position += 1
            skipWhitespace()
            if try peek() == (isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")) {
                position += 1
                return false
            }
            stack.push(isObject: isObject)
            if isObject { _ = try scanMemberKey() }
            return true
        case UInt8(ascii: "\""): _ = try scanString()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): try scanNumber()
        case UInt8(ascii: "t"): try scanLiteral("true")
        case UInt8(ascii: "f"): try scanLiteral("false")
        case UInt8(ascii: "n"): try scanLiteral("null")
        default: throw failure(.unexpectedByte(first))
        }
        return false
    }

    /// Scans `"key" :` and the whitespace after it; returns whether the key holds escapes.
    mutating func scanMemberKey() throws(JSONScanError) -> Bool {
        let found = try peek()
        guard found == UInt8(ascii: "\"") else { throw failure(.unexpectedByte(found)) }
        let escaped = try scanString()
        keyEnd = position
        skipWhitespace()
        try expect(UInt8(ascii: ":"))
        skipWhitespace()
        return escaped
    }

    private mutating func scanLiteral(_ literal: StaticString) throws(JSONScanError) {
        for k in 0..<literal.utf8CodeUnitCount {
            let found = try peek()
            guard found == literal.utf8Start[k] else { throw failure(.unexpectedByte(found)) }
            position += 1
        }
    }

    private mutating func scanNumber() throws(JSONScanError) {
        if try peek() == UInt8(ascii: "-") { position += 1 }
        let first = try peek()
        if first == UInt8(ascii: "0") {
            position += 1
            if position < end, Self.isDigit(byte(at: position)) { throw failure(.leadingZero, at: position - 1) }
        } else if Self.isDigit(first) {
            skipDigits()
        } else {
            throw failure(.invalidNumber)
        }
        if position < end, byte(at: position) == UInt8(ascii: ".") {
            position += 1
            try scanDigits()
        }
        if position < end, byte(at: position) | 0x20 == UInt8(ascii: "e") {
            position += 1
            if position < end, byte(at: position) == UInt8(ascii: "+") || byte(at: position) == UInt8(ascii: "-") {
                position += 1
            }
            try scanDigits()
        }
    }

    private mutating func scanDigits() throws(JSONScanError) {
        guard Self.isDigit(try peek()) else { throw failure(.invalidNumber) }
        skipDigits()
    }

    @inline(__always) private mutating func skipDigits() {
        while position < end, Self.isDigit(byte(at: position)) { position += 1 }
    }

    @inline(__always) static func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: Strings

    /// Scans a string starting at its opening quote; returns whether it holds escapes (so decoding can skip work).
    mutating func scanString() throws(JSONScanError) -> Bool {
        position += 1
        var escaped = false
        while true {
            skipPlainASCII()
            let byte = try peek()
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                return escaped
            case UInt8(ascii: "\\"):
                try scanEscape()
                escaped = true
            case 0x00..<0x20:
                throw failure(.controlCharacterInString)
            default:
                try scanUTF8Sequence(lead: byte)
            }
        }
    }

    /// Skips bytes that need no attention, eight at a time, stopping at `"`, `\`, a control byte or non-ASCII.
    @inline(__always) private mutating func skipPlainASCII() {
        while position + 8 <= end {
            let word = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
            if Self.needsAttention(word) { break }
            position += 8
        }
        while position < end {
            let byte = byte(at: position)
            if byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte < 0x20 || byte >= 0x80 { return }
            position += 1
        }
    }

    /// SWAR test: does any byte of `word` equal `"` or `\`, fall below 0x20, or have its high bit set?
    /// (The classic "has zero byte" trick is exact about *whether* a byte matches, which is all we ask.)
    @inline(__always) private static func needsAttention(_ word: UInt64) -> Bool {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        let hasQuote = (quote &- ones) & ~quote
        let hasBackslash = (backslash &- ones) & ~backslash
        let hasControl = word &- ones &* 0x20
        return (hasQuote | hasBackslash | hasControl | word) & highs != 0
    }

    private mutating func scanEscape() throws(JSONScanError) {
        let start = position
        position += 1
        switch try peek() {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"), UInt8(ascii: "f"),
            UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
            position += 1
        case UInt8(ascii: "u"):
            position += 1
            for _ in 0..<4 {
                guard Self.hexValue(try peek()) != nil else { throw failure(.invalidUnicodeEscape, at: start) }
                position += 1
            }
        default:
            throw failure(.invalidEscape, at: start)
        }
    }

    /// Validates one multi-byte UTF-8 sequence (Unicode Table 3-7): no overlongs, no surrogates, nothing past U+10FFFF.
    private mutating func scanUTF8Sequence(lead: UInt8) throws(JSONScanError) {
        let start = position
        let continuationCount: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: continuationCount = 1
        case 0xE0:
            continuationCount = 2
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE, 0xEF: continuationCount = 2
        case 0xED:
            continuationCount = 2
            secondRange = 0x80...0x9F
        case 0xF0:
            continuationCount = 3
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: continuationCount = 3
        case 0xF4:
            continuationCount = 3
            secondRange = 0x80...0x8F
        default: throw failure(.invalidUTF8)
        }
        position += 1
        for k in 0..<continuationCount {
            guard position < end else { throw failure(.invalidUTF8, at: start) }
            let byte = byte(at: position)
            let valid = k == 0 ? secondRange.contains(byte) : byte & 0xC0 == 0x80
            guard valid else { throw failure(.invalidUTF8, at: start) }
            position += 1
        }
    }
}

/// One bit per open container (1 = object), enough for `JSONScanner.maximumDepth` levels without allocating.
package struct ContainerStack {
    private var words: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private(set) var depth = 0

    static let capacity = 8 * 64

    var topIsObject: Bool {
        let index = depth - 1
        let word = withUnsafeBytes(of: words) { $0.load(fromByteOffset: (index >> 6) << 3, as: UInt64.self) }
        return word >> UInt64(index & 63) & 1 == 1
    }

    /// Callers check the depth limit first; the limit is at most `capacity`.
    mutating func push(isObject: Bool) {
        let index = depth
        let offset = (index >> 6) << 3
        withUnsafeMutableBytes(of: &words) { raw in
            var word = raw.load(fromByteOffset: offset, as: UInt64.self)
            let bit: UInt64 = 1 << UInt64(index & 63)
            word = isObject ? word | bit : word & ~bit
            raw.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
        }
        depth += 1
    }

    mutating func pop() {
        depth -= 1
    }
}
