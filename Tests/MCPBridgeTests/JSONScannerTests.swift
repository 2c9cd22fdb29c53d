import Foundation
import Testing

@testable import BridgeWire
@testable import MCPBridge

struct JSONScannerTests {
    // MARK: Validation tables

    static let validTexts: [String] = [
        "0", "-0", "1", "-1.5e-3", "1E+2", "0.0", "1e400", "-1e-400", String(repeating: "9", count: 400),
        "true", "false", "null", "\"\"", "\"\\u0000\"", "\"\\ud83d\\ude00\"", "\"\\uD800\"", "\"\\udc00x\"",
        "[]", "{}", " \t\r\n[ 1 , 2 ] \n", "{\"a\":{\"b\":[1,{\"c\":null}]}}", "\"é日本😀\"",
        "\"\\/\\b\\f\\n\\r\\t\\\"\\\\\"", "[\"\u{7F}\"]", "{\"a\":1,\"a\":2}", "[[],{},[[]],{\"\":{}}]",
        "{ \"k\" : [ true , false , null ] }", "\"\\u00e9\\u00C9\"",
    ]

    @Test(arguments: validTexts)
    func acceptsValidText(_ text: String) throws {
        _ = try JSONScanner.validate(Array(text.utf8))
    }

    static let invalidTexts: [(String, JSONScanError.Reason)] = [
        ("", .unexpectedEnd), ("  \n", .unexpectedEnd), ("[1,]", .unexpectedByte(UInt8(ascii: "]"))),
        ("{\"a\":1,}", .unexpectedByte(UInt8(ascii: "}"))), ("01", .leadingZero), ("-01", .leadingZero),
        ("1.", .unexpectedEnd), ("1.e5", .invalidNumber), (".5", .unexpectedByte(UInt8(ascii: "."))),
        ("-", .unexpectedEnd), ("-a", .invalidNumber), ("+1", .unexpectedByte(UInt8(ascii: "+"))),
        ("1e", .unexpectedEnd), ("1e+", .unexpectedEnd), ("\"\\x\"", .invalidEscape),
        ("\"\\u12\"", .invalidUnicodeEscape), ("\"\\u12G4\"", .invalidUnicodeEscape),
        ("\"a\tb\"", .controlCharacterInString), ("\"a\nb\"", .controlCharacterInString),
        ("NaN", .unexpectedByte(UInt8(ascii: "N"))), ("Infinity", .unexpectedByte(UInt8(ascii: "I"))),
        ("-Infinity", .invalidNumber), ("nul", .unexpectedEnd), ("tru e", .unexpectedByte(UInt8(ascii: " "))),
        ("True", .unexpectedByte(UInt8(ascii: "T"))), ("[1 2]", .unexpectedByte(UInt8(ascii: "2"))),
        ("{\"a\" 1}", .unexpectedByte(UInt8(ascii: "1"))), ("{a:1}", .unexpectedByte(UInt8(ascii: "a"))),
        ("{'a':1}", .unexpectedByte(UInt8(ascii: "'"))), ("{\"a\":1", .unexpectedEnd), ("[", .unexpectedEnd),
        ("\"abc", .unexpectedEnd), ("1 2", .trailingContent), ("{}}", .trailingContent), ("[]x", .trailingContent),
        ("\u{0C}1", .unexpectedByte(0x0C)), ("[,1]", .unexpectedByte(UInt8(ascii: ","))),
        ("{,}", .unexpectedByte(UInt8(ascii: ","))), ("{\"a\":}", .unexpectedByte(UInt8(ascii: "}"))),
        ("[1,,2]", .unexpectedByte(UInt8(ascii: ","))), ("\"\\", .unexpectedEnd), ("\"\\u00", .unexpectedEnd),
        ("0x10", .trailingContent), ("1.5.2", .trailingContent), ("[1}", .unexpectedByte(UInt8(ascii: "}"))),
        ("{\"a\":1]", .unexpectedByte(UInt8(ascii: "]"))), ("\"\u{1F}\"", .controlCharacterInString),
    ]

    @Test(arguments: invalidTexts)
    func rejectsInvalidText(_ text: String, reason: JSONScanError.Reason) {
        #expect(throws: JSONScanError.self) { try JSONScanner.validate(Array(text.utf8)) }
        do {
            _ = try JSONScanner.validate(Array(text.utf8))
        } catch {
            #expect(error.reason == reason)
        }
    }

    static let invalidBytes: [[UInt8]] = [
        [0x22, 0xC0, 0xAF, 0x22],  // overlong "/"
        [0x22, 0xED, 0xA0, 0x80, 0x22],  // UTF-8 encoded surrogate
        [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // beyond U+10FFFF
        [0x22, 0xE0, 0x80, 0x80, 0x22],  // overlong 3-byte
        [0x22, 0xF0, 0x80, 0x80, 0x80, 0x22],  // overlong 4-byte
        [0x22, 0xFF, 0x22], [0x22, 0xFE, 0x22], [0x22, 0x80, 0x22],  // never valid / lone continuation
        [0x22, 0xE2, 0x82, 0x22],  // sequence cut short by the closing quote
        [0x22, 0xE2],  // truncated input
        [0x22, 0xC3, 0x41, 0x22],  // continuation expected
    ]

    @Test(arguments: invalidBytes)
    func rejectsInvalidUTF8(_ bytes: [UInt8]) {
        #expect(throws: JSONScanError(offset: 1, reason: .invalidUTF8)) { try JSONScanner.validate(bytes) }
    }

    static let otherInvalidBytes: [[UInt8]] = [
        [0xEF, 0xBB, 0xBF, 0x31],  // byte order mark
        [0xC3, 0xA9],  // non-ASCII outside a string
        [0x22, 0x00, 0x22],  // NUL inside a string
        [0x31, 0x00],  // NUL after the value
    ]

    @Test(arguments: otherInvalidBytes)
    func rejectsStrayBytes(_ bytes: [UInt8]) {
        #expect(throws: JSONScanError.self) { try JSONScanner.validate(bytes) }
    }

    @Test func errorOffsetsPointAtTheOffendingByte() {
        #expect(throws: JSONScanError(offset: 3, reason: .unexpectedByte(UInt8(ascii: "]")))) {
            try JSONScanner.validate(Array("[1,]".utf8))
        }
        #expect(throws: JSONScanError(offset: 6, reason: .controlCharacterInString)) {
            try JSONScanner.validate(Array("{\"a\":\"\u{01}\"}".utf8))
        }
        #expect(throws: JSONScanError(offset: 8, reason: .invalidEscape)) {
            try JSONScanner.validate(Array("[\"abc\",\"\\q\"]".utf8))
        }
    }

    @Test func errorDescriptionNamesReasonAndOffset() {
        let error = JSONScanError(offset: 12, reason: .unexpectedByte(0x7D))
        #expect(error.description == "unexpected byte 0x7d at byte 12")
    }

    // MARK: Depth

    static func nested(_ depth: Int, object: Bool) -> [UInt8] {
        let open = object ? "{\"a\":" : "["
        let close = object ? "}" : "]"
        return Array((String(repeating: open, count: depth) + "1" + String(repeating: close, count: depth)).utf8)
    }

    @Test(arguments: [false, true])
    func acceptsDepth512AndRejects513(object: Bool) throws {
        _ = try JSONScanner.validate(Self.nested(512, object: object))
        #expect(throws: JSONScanError.self) { try JSONScanner.validate(Self.nested(513, object: object)) }
        do {
            _ = try JSONScanner.validate(Self.nested(513, object: object))
        } catch {
            #expect(error.reason == .tooDeep)
        }
    }

    @Test func membersAndElementsCountTheirOwnLevel() throws {
        _ = try JSONScanner.members(in: Self.nested(512, object: true))
        #expect(throws: JSONScanError.self) { try JSONScanner.members(in: Self.nested(513, object: true)) }
        let array = Self.nested(512, object: false)
        _ = try JSONScanner.elements(of: 0..<array.count, in: array)
    }

    @Test func hugeNestingFailsWithoutExhaustingTheStack() {
        let bytes = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        #expect(throws: JSONScanError(offset: 512, reason: .tooDeep)) { try JSONScanner.validate(bytes) }
    }

    @Test func deepEmptyContainersCloseCorrectly() throws {
        let text = String(repeating: "[{\"k\":", count: 200) + "{}" + String(repeating: "}]", count: 200)
        let value = try JSONScanner.validate(Array(text.utf8))
        #expect(value.kind == .array)
    }

    // MARK: String fast path

    /// Puts a special byte at every offset of strings around the 8-byte word size to exercise the SWAR skip.
    @Test(arguments: [UInt8(0x00), 0x1F, 0x0A])
    func controlBytesAreFoundAtEveryOffset(_ control: UInt8) {
        for length in 1...40 {
            for index in 0..<length {
                var body = [UInt8](repeating: UInt8(ascii: "a"), count: length)
                body[index] = control
                let bytes = [UInt8(ascii: "\"")] + body + [UInt8(ascii: "\"")]
                #expect(throws: JSONScanError(offset: index + 1, reason: .controlCharacterInString)) {
                    try JSONScanner.validate(bytes)
                }
            }
        }
    }

    @Test func quotesBackslashesAndUTF8AreFoundAtEveryOffset() throws {
        for length in 0...40 {
            for index in 0...length {
                var body = String(repeating: "a", count: index) + "\\\"é" + String(repeating: "b", count: length)
                body += "😀"
                let text = "[\"" + body + "\",1]"
                let bytes = Array(text.utf8)
                let elements = try JSONScanner.elements(of: 0..<bytes.count, in: bytes)
                #expect(elements.count == 2)
                let decoded = try JSONScanner.string(at: try #require(elements.first).range, in: bytes)
                #expect(decoded == body.replacingOccurrences(of: "\\\"", with: "\""))
            }
        }
    }

    // MARK: Locating values

    @Test func validateReportsTheTrimmedValueRangeAndKind() throws {
        let value = try JSONScanner.validate(Array(" \n[1] \t".utf8))
        #expect(value == JSONValue(range: 2..<5, kind: .array))
    }

    @Test func membersDecodeKeysAndLocateRawValues() throws {
        let text = #"{"jsonrpc":"2.0", "id" : 7,"params":{"name":"x"},"k\u0065y":true,"n":null,"l":[1]}"#
        let bytes = Array(text.utf8)
        let members = try JSONScanner.members(in: bytes)
        #expect(members.map(\.key) == ["jsonrpc", "id", "params", "key", "n", "l"])
        #expect(members.map(\.kind) == [.string, .number, .object, .bool, .null, .array])
        let raw = members.map { String(decoding: bytes[$0.value], as: UTF8.self) }
        #expect(raw == ["\"2.0\"", "7", #"{"name":"x"}"#, "true", "null", "[1]"])
    }

    @Test func membersOfANestedRange() throws {
        let bytes = Array(#"{"result":{"protocolVersion":"2025-06-18","tools":[]}}"#.utf8)
        let result = try #require(JSONScanner.members(in: bytes).first)
        let inner = try JSONScanner.members(of: result.value, in: bytes)
        #expect(inner.map(\.key) == ["protocolVersion", "tools"])
        #expect(try JSONScanner.string(at: inner[0].value, in: bytes) == "2025-06-18")
    }

    @Test func elementsLocateEachValue() throws {
        let bytes = Array(#" [1, "a" ,{"b":2}, [], null ] "#.utf8)
        let elements = try JSONScanner.elements(of: 0..<bytes.count, in: bytes)
        #expect(elements.map(\.kind) == [.number, .string, .object, .array, .null])
        #expect(
            elements.map { String(decoding: bytes[$0.range], as: UTF8.self) } == [
                "1", "\"a\"", #"{"b":2}"#, "[]", "null",
            ])
        #expect(try JSONScanner.elements(of: 0..<2, in: Array("[]".utf8)).isEmpty)
    }

    @Test func askingForTheWrongKindThrowsKindMismatch() {
        #expect(throws: JSONScanError(offset: 0, reason: .kindMismatch(expected: .object))) {
            try JSONScanner.members(in: Array("[1]".utf8))
        }
        #expect(throws: JSONScanError(offset: 0, reason: .kindMismatch(expected: .array))) {
            try JSONScanner.elements(of: 0..<2, in: Array("{}".utf8))
        }
        #expect(throws: JSONScanError(offset: 0, reason: .kindMismatch(expected: .string))) {
            try JSONScanner.string(at: 0..<1, in: Array("1".utf8))
        }
    }

    static let pathCases: [(path: [String], raw: String?)] = [
        (["params", "name"], "\"echo\""),
        (["params", "_meta", "progressToken"], "42"),
        (["params", "arguments"], #"{"x":[1,2]}"#),
        (["params", "missing"], nil),
        (["params", "name", "deeper"], nil),  // a string has no members
        (["dup"], "2"),  // last duplicate wins
        ([], nil),  // whole document; checked separately
    ]

    @Test(arguments: pathCases)
    func valueAtPathFollowsObjectKeys(path: [String], raw: String?) throws {
        let text = #"{"params":{"name":"echo","arguments":{"x":[1,2]},"_meta":{"progressToken":42}},"dup":1,"dup":2}"#
        let bytes = Array(text.utf8)
        let value = try JSONScanner.value(atPath: path, in: bytes)
        if path.isEmpty {
            #expect(value == JSONValue(range: 0..<bytes.count, kind: .object))
        } else {
            #expect(value.map { String(decoding: bytes[$0.range], as: UTF8.self) } == raw)
        }
    }

    @Test func valueAtPathFromARootRange() throws {
        let bytes = Array(#"{"params":{"name":"echo"}}"#.utf8)
        let params = try #require(try JSONScanner.value(atPath: ["params"], in: bytes))
        let name = try #require(try JSONScanner.value(atPath: ["name"], in: bytes, root: params.range))
        #expect(try JSONScanner.string(at: name.range, in: bytes) == "echo")
    }

    @Test func valueAtPathRejectsBrokenDocuments() {
        #expect(throws: JSONScanError.self) {
            try JSONScanner.value(atPath: ["a"], in: Array(#"{"a":1,"b":}"#.utf8))
        }
    }

    // MARK: String decoding

    static let decodeCases: [(String, String)] = [
        (#""abc""#, "abc"), (#""""#, ""), (#""\"\\\/\b\f\n\r\t""#, "\"\\/\u{08}\u{0C}\n\r\t"),
        (#""\u00e9\u00C9""#, "éÉ"), (#""\u65e5\u672c""#, "日本"), (#""\ud83d\ude00!""#, "😀!"),
        (#""\uD83D\uDE00""#, "😀"), (#""\ud800""#, "\u{FFFD}"), (#""\udc00x""#, "\u{FFFD}x"),
        (#""\ud800\u0041""#, "\u{FFFD}A"), (#""\ud800\ud800\udc00""#, "\u{FFFD}𐀀"), (#""\u0000""#, "\u{0}"),
        ("\"日本😀 raw\"", "日本😀 raw"), (#""x\u0041y\nz""#, "xAy\nz"),
    ]

    @Test(arguments: decodeCases)
    func decodesStringEscapes(_ json: String, expected: String) throws {
        let bytes = Array(json.utf8)
        let decoded = try JSONScanner.string(at: 0..<bytes.count, in: bytes)
        #expect(decoded.unicodeScalars.elementsEqual(expected.unicodeScalars))
    }

    @Test func decodingRejectsARangeThatIsNotExactlyOneString() {
        let bytes = Array(#""a" "b""#.utf8)
        #expect(throws: JSONScanError.self) { try JSONScanner.string(at: 0..<bytes.count, in: bytes) }
    }
}

/// Compares the scanner with Foundation's parser on generated and mutated texts, so the hand tables above are not
/// the only evidence. Seeded, so a failure reproduces exactly.
struct JSONScannerCrossCheckTests {
    @Test func agreesWithFoundationOnRandomAndMutatedInputs() {
        var generator = SplitMix64(seed: 0x6D63_702D_6272_6467)
        var (compared, valid) = (0, 0)
        for round in 0..<2000 {
            var bytes = Array(Self.randomValue(depth: 0, &generator).utf8)
            if round % 2 == 1 {
                for _ in 0...Int(generator.next() % 3) { Self.mutate(&bytes, &generator) }
            }
            guard !Self.isKnownDifference(bytes) else { continue }
            let ours = (try? JSONScanner.validate(bytes)) != nil
            let foundation = (try? JSONSerialization.jsonObject(with: Data(bytes), options: .fragmentsAllowed)) != nil
            #expect(ours == foundation, "\(String(decoding: bytes, as: UTF8.self).debugDescription) \(bytes)")
            compared += 1
            valid += ours ? 1 : 0
        }
        #expect(compared > 1500)
        #expect(valid > 800 && compared - valid > 500)
    }

    /// Where the scanner deliberately differs from Foundation (see `JSONScanner`'s documentation):
    /// Foundation accepts NUL-terminated input, a byte order mark and trailing commas, and rejects lone surrogate
    /// escapes and numbers a `Double` cannot hold; the scanner does the opposite in each case.
    static func isKnownDifference(_ bytes: [UInt8]) -> Bool {
        if bytes.contains(0) || bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return true }
        let text = String(decoding: bytes, as: UTF8.self)
        let patterns = [#",\s*[\]}]"#, #"\\u[dD][89a-fA-F]"#, #"[eE][+-]?\d{3}"#, #"\d{300}"#]
        return patterns.contains { text.range(of: $0, options: .regularExpression) != nil }
    }

    static func randomValue(depth: Int, _ generator: inout SplitMix64) -> String {
        let choice = generator.next() % (depth >= 4 ? 4 : 6)
        let space = [" ", "", "", "\n", "\t", "\r\n "][Int(generator.next() % 6)]
        switch choice {
        case 0:
            let numbers = ["0", "-0", "12", "-7", "3.25", "1e5", "-2.5E-3", "6.02e+23", "10", "0.001"]
            return space + numbers[Int(generator.next() % UInt64(numbers.count))]
        case 1:
            let pieces = [
                "a", "Z", " ", "é", "日本", "😀", "\\n", "\\\"", "\\\\", "\\u0041", "\\ud83d\\ude00", "\\/", "~",
            ]
            let count = Int(generator.next() % 12)
            let body = (0..<count).map { _ in pieces[Int(generator.next() % UInt64(pieces.count))] }.joined()
            return space + "\"" + body + "\""
        case 2:
            return space + ["true", "false", "null"][Int(generator.next() % 3)]
        case 3:
            return space + "\"\"" + space
        case 4:
            let count = Int(generator.next() % 4)
            let items = (0..<count).map { _ in randomValue(depth: depth + 1, &generator) }
            return "[" + items.joined(separator: ",") + space + "]"
        default:
            let count = Int(generator.next() % 4)
            let members = (0..<count).map { index in
                "\"k\(index)\"" + space + ":" + randomValue(depth: depth + 1, &generator)
            }
            return space + "{" + members.joined(separator: ",") + "}"
        }
    }

    static let alphabet =
        Array("{}[]\":,.-+eE0123456789tfnulsax\\/ \t\n".utf8)
        + [0x01, 0x1F, 0x7F, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xED, 0xA0, 0xC0, 0xAF, 0xFF, 0xF0, 0x9F, 0x80]

    /// Valid and invalid UTF-8 sequences, inserted whole so they can land inside strings.
    static let sequences: [[UInt8]] = [
        [0xC3, 0xA9], [0xC0, 0xAF], [0xC1, 0xBF], [0xED, 0xA0, 0x80], [0xED, 0x9F, 0xBF], [0xE2, 0x82, 0xAC],
        [0xE0, 0x80, 0x80], [0xE0, 0xA0, 0x80], [0xF0, 0x9F, 0x98, 0x80], [0xF4, 0x90, 0x80, 0x80],
        [0xF0, 0x80, 0x80, 0x80], [0xF4, 0x8F, 0xBF, 0xBF], [0xF5, 0x80, 0x80, 0x80], [0xC3],
    ]

    static func mutate(_ bytes: inout [UInt8], _ generator: inout SplitMix64) {
        guard !bytes.isEmpty else { return }
        let index = Int(generator.next() % UInt64(bytes.count))
        let byte = alphabet[Int(generator.next() % UInt64(alphabet.count))]
        switch generator.next() % 6 {
        case 0: bytes.remove(at: index)
        case 5: bytes.insert(contentsOf: sequences[Int(generator.next() % UInt64(sequences.count))], at: index)
        case 1: bytes.insert(byte, at: index)
        case 2: bytes[index] = byte
        case 3: bytes.removeSubrange(index...)
        default: bytes.insert(contentsOf: bytes[index...].prefix(4), at: index)
        }
    }
}

/// A tiny seeded generator (SplitMix64) so the cross-check is identical on every run and platform.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64

    init(seed: UInt64) {
        state = seed
    }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
