import Testing

@testable import BridgeWire
@testable import MCPBridge

struct EnvelopeTests {
    static func classify(_ text: String) throws(EnvelopeError) -> Envelope {
        try Envelope.classify(Array(text.utf8))
    }

    static func raw(_ range: Range<Int>?, in text: String) -> String? {
        range.map { String(decoding: Array(text.utf8)[$0], as: UTF8.self) }
    }

    @Test func classifiesARequest() throws {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"echo","arguments":{}}}"#
        let envelope = try Self.classify(text)
        #expect(envelope.kind == .request)
        #expect(envelope.id == .number("1"))
        #expect(envelope.method == "tools/call")
        #expect(Self.raw(envelope.params, in: text) == #"{"name":"echo","arguments":{}}"#)
        #expect(envelope.result == nil && !envelope.isError && envelope.batchElements.isEmpty)
    }

    @Test func classifiesARequestWithAStringIDAndArrayParams() throws {
        let envelope = try Self.classify(#" {"params":[1],"method":"m","id":"a\"b","jsonrpc":"2.0"} "#)
        #expect(envelope.kind == .request)
        #expect(envelope.id == .string("a\"b"))
        #expect(envelope.params != nil)
    }

    @Test func classifiesANotification() throws {
        let envelope = try Self.classify(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
        #expect(envelope.kind == .notification)
        #expect(envelope.id == nil)
        #expect(envelope.method == "notifications/initialized")
        #expect(envelope.params == nil)
    }

    @Test func scalarParamsAreNotExposed() throws {
        let envelope = try Self.classify(#"{"jsonrpc":"2.0","method":"m","params":null}"#)
        #expect(envelope.kind == .notification)
        #expect(envelope.params == nil)
    }

    @Test func classifiesAResultResponse() throws {
        let text = #"{"jsonrpc":"2.0","id":"abc","result":{"protocolVersion":"2025-06-18"}}"#
        let envelope = try Self.classify(text)
        #expect(envelope.kind == .response)
        #expect(envelope.id == .string("abc"))
        #expect(!envelope.isError)
        #expect(Self.raw(envelope.result, in: text) == #"{"protocolVersion":"2025-06-18"}"#)
        #expect(envelope.method == nil)
    }

    @Test func classifiesAnErrorResponseWithANullID() throws {
        let envelope = try Self.classify(
            #"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"Parse error"}}"#)
        #expect(envelope.kind == .response)
        #expect(envelope.id == nil)
        #expect(envelope.isError)
        #expect(envelope.result == nil)
    }

    @Test func classifiesABatchByElementRanges() throws {
        let text = #"[{"jsonrpc":"2.0","method":"a"}, {"jsonrpc":"2.0","id":2,"method":"b"} ,3]"#
        let envelope = try Self.classify(text)
        #expect(envelope.kind == .batch)
        #expect(
            envelope.batchElements.map { Self.raw($0, in: text) } == [
                #"{"jsonrpc":"2.0","method":"a"}"#, #"{"jsonrpc":"2.0","id":2,"method":"b"}"#, "3",
            ])
        let withParams = #"[{"jsonrpc":"2.0","method":"a","params":{"k":1}}]"#
        let element = try #require(try Self.classify(withParams).batchElements.first)
        let first = try Envelope.classify(Array(withParams.utf8), range: element)
        #expect(Self.raw(first.params, in: withParams) == #"{"k":1}"#)  // ranges stay absolute in the batch
        let second = try Envelope.classify(Array(text.utf8), range: envelope.batchElements[1])
        #expect(second.kind == .request && second.id == .number("2"))
        #expect(throws: EnvelopeError.self) {
            try Envelope.classify(Array(text.utf8), range: envelope.batchElements[2])
        }
    }

    @Test func escapedKeysAndValuesAreDecodedBeforeMatching() throws {
        let envelope = try Self.classify(#"{"json\u0072pc":"2\u002e0","\u0069d":7,"method":"a\/b"}"#)
        #expect(envelope.kind == .request)
        #expect(envelope.id == .number("7"))
        #expect(envelope.method == "a/b")
    }

    @Test func lastDuplicateKeyWins() throws {
        let envelope = try Self.classify(#"{"jsonrpc":"1.0","id":1,"method":"x","id":"two","jsonrpc":"2.0"}"#)
        #expect(envelope.id == .string("two"))
    }

    static let invalidMessages: [(text: String, id: RequestID?)] = [
        (#"{"id":1,"method":"m"}"#, .number("1")),  // missing jsonrpc
        (#"{"jsonrpc":"1.0","id":"x","method":"m"}"#, .string("x")),  // wrong version
        (#"{"jsonrpc":2.0,"id":1,"method":"m"}"#, .number("1")),  // version not a string
        (#"{"jsonrpc":"2.0","id":null,"method":"m"}"#, nil),  // null id on a request
        (#"{"jsonrpc":"2.0","id":{"a":1},"method":"m"}"#, nil),  // object id
        (#"{"jsonrpc":"2.0","id":true,"method":"m"}"#, nil),  // bool id
        (#"{"jsonrpc":"2.0","id":3,"method":5}"#, .number("3")),  // method not a string
        (#"{"jsonrpc":"2.0","id":4,"result":{},"error":{}}"#, .number("4")),  // both result and error
        (#"{"jsonrpc":"2.0","id":5}"#, .number("5")),  // neither result nor error
        (#"{"jsonrpc":"2.0","id":[5],"result":{}}"#, nil),  // array id on a response
        (#"{"jsonrpc":"2.0"}"#, nil),  // neither method nor id
        ("[]", nil),  // empty batch
        ("42", nil), (#""text""#, nil), ("null", nil), ("true", nil),  // not an object or array
    ]

    @Test(arguments: invalidMessages)
    func rejectsInvalidMessagesWithTheirReadableID(text: String, id: RequestID?) {
        do {
            let envelope = try Self.classify(text)
            Issue.record("classified as \(envelope.kind)")
        } catch {
            guard case .invalidRequest(let found, let reason) = error else {
                Issue.record("expected invalidRequest, got \(error)")
                return
            }
            #expect(found == id)
            #expect(!reason.isEmpty)
        }
    }

    @Test func nullRequestIDReasonCitesMCP() {
        #expect(
            throws: EnvelopeError.invalidRequest(id: nil, reason: "request \"id\" must be a string or an integer (MCP)")
        ) {
            try Self.classify(#"{"jsonrpc":"2.0","id":null,"method":"m"}"#)
        }
    }

    static let nonJSON: [String] = [
        "", "not json", #"{"jsonrpc":"2.0","id":1,"method":"m""#, #"{"jsonrpc":"2.0","method":"m",}"#,
        #"[{"jsonrpc":"2.0","method":"m"},]"#, #"{"jsonrpc":"2.0","method":"m"} {}"#, "[1,2", "01",
    ]

    @Test(arguments: nonJSON)
    func nonJSONIsAParseError(_ text: String) {
        #expect {
            try Self.classify(text)
        } throws: { error in
            guard let error = error as? EnvelopeError, case .parse = error else { return false }
            return true
        }
    }

    @Test func invalidUTF8IsAParseError() {
        var bytes = Array(#"{"jsonrpc":"2.0","method":"x"}"#.utf8)
        bytes.insert(contentsOf: [0xC0, 0xAF], at: 27)
        #expect(throws: EnvelopeError.parse(JSONScanError(offset: 27, reason: .invalidUTF8))) {
            try Envelope.classify(bytes)
        }
    }

    @Test func readsNestedStrings() throws {
        let text = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"e\u0063ho","_meta":{"k":1}}}"#
        let bytes = Array(text.utf8)
        #expect(Envelope.string(atPath: ["params", "name"], in: bytes) == "echo")
        #expect(Envelope.string(atPath: ["params", "_meta"], in: bytes) == nil)
        #expect(Envelope.string(atPath: ["params", "missing"], in: bytes) == nil)
        #expect(Envelope.string(atPath: ["method"], in: bytes) == "tools/call")
        let params = try Self.classify(text).params
        #expect(Envelope.string(atPath: ["name"], in: bytes, root: params) == "echo")
        #expect(Envelope.string(atPath: ["a"], in: Array(#"{"a":"x""#.utf8)) == nil)
    }
}

struct RequestIDTests {
    static func id(of text: String) throws -> RequestID? {
        try Envelope.classify(Array(#"{"jsonrpc":"2.0","method":"m","id":\#(text)}"#.utf8)).id
    }

    @Test func numbersKeepTheirLiteralText() throws {
        #expect(try Self.id(of: "-5") == .number("-5"))
        #expect(try Self.id(of: "1.5e3") == .number("1.5e3"))
        #expect(try Self.id(of: "1") != Self.id(of: "1.0"))
        #expect(try Self.id(of: "1")?.json == "1")
    }

    @Test func stringsCompareByDecodedValue() throws {
        #expect(try Self.id(of: #""\u0041""#) == .string("A"))
        #expect(try Self.id(of: #""\ud83d\ude00""#) == .string("😀"))
        #expect(Set([RequestID.string("A"), try #require(try Self.id(of: #""\u0041""#))]).count == 1)
    }

    @Test func loneSurrogatesStayDistinctAndKeepTheirText() throws {
        let high = try #require(try Self.id(of: #""\ud800""#))
        let low = try #require(try Self.id(of: #""\udc00""#))
        let replacement = try #require(try Self.id(of: #""\ufffd""#))
        #expect(Set([high, low, replacement, try #require(try Self.id(of: #""\uD800""#))]).count == 3)
        #expect(replacement == .string("\u{FFFD}"))
        #expect(high.json == #""\ud800""#)
        #expect(try Self.id(of: #""\u0041""#)?.json == #""\u0041""#, "the text as written, not re-encoded")
        #expect(high.isEchoed(by: .string("\u{FFFD}")), "a server that replaced the lone surrogate")
        #expect(!replacement.isEchoed(by: high))
        #expect(try Self.id(of: #""a\ud800\ud800b""#) != Self.id(of: #""a\ud800b""#))
    }

    @Test func numbersAndStringsNeverCollide() {
        #expect(RequestID.number("1") != RequestID.string("1"))
        #expect(Set([RequestID.number("1"), .string("1")]).count == 2)
    }

    @Test func canonicallyEquivalentStringsStayDistinct() {
        let precomposed = RequestID.string("\u{E9}")
        let decomposed = RequestID.string("e\u{301}")
        #expect(precomposed != decomposed)
        #expect(Set([precomposed, decomposed]).count == 2)
    }

    static let renderings: [(RequestID, String)] = [
        (.number("42"), "42"), (.number("-1.5E+3"), "-1.5E+3"), (.string("abc"), #""abc""#),
        (.string("a\"b\\c"), #""a\"b\\c""#), (.string("line\nbreak\t\u{0}"), #""line\u000abreak\u0009\u0000""#),
        (.string("\u{1F}\u{7F}é😀"), "\"\\u001f\u{7F}é😀\""), (.string(""), #""""#),
    ]

    @Test(arguments: renderings)
    func rendersJSONForErrorResponses(_ id: RequestID, json: String) throws {
        #expect(id.json == json)
        #expect(id.description == json)
        // The rendering must read back as the same id.
        #expect(try Self.id(of: json) == id)
    }
}
