import BridgeWire
import MCPBridge
import Testing

/// What a whole stream parses to; split-chunk tests compare these against the single-chunk result.
private struct Outcome: Equatable {
    var events: [ServerSentEvent] = []
    var lastEventID: String?
    var retry: Int?
}

private func parse(_ chunks: [[UInt8]], maxEventBytes: Int = 64 << 20) throws -> Outcome {
    var parser = SSEParser(maxEventBytes: maxEventBytes)
    var outcome = Outcome()
    for chunk in chunks {
        try parser.feed(chunk) { outcome.events.append($0) }
    }
    try parser.finish { outcome.events.append($0) }
    outcome.lastEventID = parser.lastEventID
    outcome.retry = parser.retry
    return outcome
}

private func parse(_ stream: String, maxEventBytes: Int = 64 << 20) throws -> Outcome {
    try parse([Array(stream.utf8)], maxEventBytes: maxEventBytes)
}

private func event(_ data: String, type: String = "message", id: String? = nil) -> ServerSentEvent {
    ServerSentEvent(type: type, data: Array(data.utf8), id: id)
}

struct FramingCase: Sendable, CustomTestStringConvertible {
    let name: String
    let stream: String
    let expected: [ServerSentEvent]

    init(_ name: String, _ stream: String, _ expected: [ServerSentEvent]) {
        self.name = name
        self.stream = stream
        self.expected = expected
    }

    var testDescription: String { name }
}

/// A stream with every feature the split tests must survive: BOM, all three line endings (including a CR right
/// before a data line), comments, priming, retry, multi-byte UTF-8, and no blank line at the end.
private let realisticStream = Array(
    ("\u{FEFF}: welcome\r\nretry: 2500\r\nid: prime-0\r\ndata: \r\n\r\n"
        + "event: message\nid: 1\n"
        + "data: {\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\","
        + "\"params\":{\"text\":\"héllo 日本 🎉\"}}\n\n"
        + ":keepalive\r\r"
        + "data: {\"a\":\rdata: 1}\r\n\r\n"
        + "event: endpoint\ndata\n\n"
        + "id: 2\ndata: tail without blank line").utf8
)

private let realisticOutcome = Outcome(
    events: [
        event("", id: "prime-0"),
        event(
            "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/message\",\"params\":{\"text\":\"héllo 日本 🎉\"}}",
            id: "1"
        ),
        event("{\"a\":\n1}", id: "1"),
        event("", type: "endpoint", id: "1"),
        event("tail without blank line", id: "2"),
    ],
    lastEventID: "2",
    retry: 2500
)

struct SSEParserTests {
    static let framingCases: [FramingCase] = [
        FramingCase("LF endings", "data: a\n\n", [event("a")]),
        FramingCase("CRLF endings", "data: a\r\n\r\n", [event("a")]),
        FramingCase("CR-only endings", "data: a\r\r", [event("a")]),
        FramingCase("mixed endings", "data: a\r\ndata: b\rdata: c\n\r\ndata: d\r\r\n", [event("a\nb\nc"), event("d")]),
        FramingCase("bare colon comment", ":\ndata: x\n\n", [event("x")]),
        FramingCase("keepalive comment", ": keepalive\r\n\r\ndata: x\r\n\r\n", [event("x")]),
        FramingCase("comment-only stream", ": keepalive\n\n:\n\n", []),
        FramingCase("multi-line data joined with LF", "data: {\ndata: 1\ndata: }\n\n", [event("{\n1\n}")]),
        FramingCase("event type", "event: endpoint\ndata: /mcp\n\n", [event("/mcp", type: "endpoint")]),
        FramingCase("empty event type means message", "event: x\nevent:\ndata: 1\n\n", [event("1")]),
        FramingCase("event type resets", "event: a\ndata: 1\n\ndata: 2\n\n", [event("1", type: "a"), event("2")]),
        FramingCase("type of an undispatched event dropped", "event: a\n\ndata: 1\n\n", [event("1")]),
        FramingCase("field without colon", "data\ndata\n\n", [event("\n")]),
        FramingCase("one space stripped once", "data:  x\n\n", [event(" x")]),
        FramingCase("no space after colon", "data:x\n\n", [event("x")]),
        FramingCase("trailing space kept", "data: x \n\n", [event("x ")]),
        FramingCase("tab is not stripped", "data:\tx\n\n", [event("\tx")]),
        FramingCase("colons in the value", "data: a:b: c\n\n", [event("a:b: c")]),
        FramingCase("BOM stripped at start", "\u{FEFF}data: x\n\n", [event("x")]),
        FramingCase("only the first BOM stripped", "\u{FEFF}\u{FEFF}data: x\n\ndata: y\n\n", [event("y")]),
        FramingCase("BOM later in the stream kept", "data: \u{FEFF}x\n\n", [event("\u{FEFF}x")]),
        FramingCase("unknown fields ignored", "foo: bar\ndata: x\nDATA: y\ndata : z\n\n", [event("x")]),
        FramingCase("priming event dispatched", "id: 7\ndata: \n\n", [event("", id: "7")]),
        FramingCase("data with empty value", "data:\n\n", [event("")]),
        FramingCase("event without data not dispatched", "id: 1\nevent: x\nretry: 5\n\n", []),
        FramingCase("leading blank lines", "\n\r\n\rdata: x\n\n", [event("x")]),
        FramingCase("no blank line at the end", "data: a\n\ndata: b", [event("a"), event("b")]),
        FramingCase("final line terminated, no blank line", "data: b\r\n", [event("b")]),
        FramingCase("final CR, no blank line", "data: b\r", [event("b")]),
    ]

    @Test(arguments: framingCases)
    func framing(_ testCase: FramingCase) throws {
        #expect(try parse(testCase.stream).events == testCase.expected)
    }

    @Test func realisticStreamParsesAsExpected() throws {
        #expect(try parse([realisticStream]) == realisticOutcome)
    }

    @Test func everySplitIntoTwoChunksGivesTheSameResult() throws {
        for index in 0...realisticStream.count {
            let chunks = [Array(realisticStream[..<index]), Array(realisticStream[index...])]
            #expect(try parse(chunks) == realisticOutcome, "split at \(index)")
        }
    }

    @Test func everySplitIntoThreeChunksGivesTheSameResult() throws {
        let count = realisticStream.count
        var failures: [String] = []
        for first in 0...count {
            for second in first...count {
                let chunks = [
                    Array(realisticStream[..<first]),
                    Array(realisticStream[first..<second]),
                    Array(realisticStream[second...]),
                ]
                if try parse(chunks) != realisticOutcome {
                    failures.append("\(first),\(second)")
                }
            }
        }
        if !failures.isEmpty {
            Issue.record("\(failures.count) split pairs differ, first: \(failures.prefix(5).joined(separator: " "))")
        }
    }

    @Test func oneByteAtATimeGivesTheSameResult() throws {
        #expect(try parse(realisticStream.map { [$0] }) == realisticOutcome)
    }

    @Test func emptyChunksBetweenBytesChangeNothing() throws {
        let chunks = realisticStream.flatMap { [[], [$0], []] }
        #expect(try parse(chunks) == realisticOutcome)
    }

    @Test func crAtChunkEndThenLFIsOneLineBreak() throws {
        let chunks = [Array("data: a\r".utf8), [], Array("\ndata: b\r".utf8), Array("\n\r".utf8), Array("\n".utf8)]
        #expect(try parse(chunks).events == [event("a\nb")])
    }

    @Test func multiByteCharacterSplitAcrossChunksSurvives() throws {
        let bytes = Array("data: 🎉é\n\n".utf8)
        for index in 7..<(bytes.count - 2) {
            let outcome = try parse([Array(bytes[..<index]), Array(bytes[index...])])
            let data = try #require(outcome.events.first?.data)
            #expect(String(decoding: data, as: UTF8.self) == "🎉é")
        }
    }

    @Test func invalidUTF8InDataPassesThroughUntouched() throws {
        let bytes: [UInt8] = Array("data: ".utf8) + [0xFF, 0xC3, 0x28] + Array("\n\n".utf8)
        #expect(try parse([bytes]).events == [ServerSentEvent(data: [0xFF, 0xC3, 0x28])])
    }

    @Test func bomSplitAcrossChunksIsStripped() throws {
        let chunks: [[UInt8]] = [[0xEF], [0xBB], [0xBF] + Array("data: x\n\n".utf8)]
        #expect(try parse(chunks).events == [event("x")])
    }

    // MARK: - id and retry

    @Test func idPersistsAcrossEvents() throws {
        let outcome = try parse("id: 1\ndata: a\n\ndata: b\n\nid: 2\ndata: c\n\n")
        #expect(outcome.events == [event("a", id: "1"), event("b", id: "1"), event("c", id: "2")])
        #expect(outcome.lastEventID == "2")
    }

    @Test func idContainingNULIsIgnored() throws {
        let outcome = try parse("id: 1\ndata: a\n\nid: 2\u{0}x\ndata: b\n\n")
        #expect(outcome.events == [event("a", id: "1"), event("b", id: "1")])
        #expect(outcome.lastEventID == "1")
    }

    @Test func emptyIDResetsTheLastEventID() throws {
        let outcome = try parse("id: 1\ndata: a\n\nid\ndata: b\n\n")
        #expect(outcome.events == [event("a", id: "1"), event("b")])
        #expect(outcome.lastEventID == nil)
    }

    @Test func idOfAnEventWithoutDataIsRecorded() throws {
        let outcome = try parse("id: 42\n\n")
        #expect(outcome.events.isEmpty)
        #expect(outcome.lastEventID == "42")
    }

    @Test func idOfAnUnfinishedEventWithoutDataIsDiscardedAtEnd() throws {
        let outcome = try parse("id: 1\ndata: a\n\nid: 2\n")
        #expect(outcome.events == [event("a", id: "1")])
        #expect(outcome.lastEventID == "1")
    }

    @Test(
        arguments: [
            ("retry: 3000\n", 3000),
            ("retry:0\n", 0),
            ("retry: 30a\n", nil),
            ("retry: -1\n", nil),
            ("retry: +1\n", nil),
            ("retry: 3.5\n", nil),
            ("retry:  5\n", nil),
            ("retry: 5 \n", nil),
            ("retry:\n", nil),
            ("retry\n", nil),
            ("retry: 99999999999999999999999\n", nil),
            ("retry: 1\nretry: x\n", 1),
            ("retry: 1\nretry: 2\n", 2),
        ] as [(String, Int?)])
    func retryAcceptsOnlyDigits(_ stream: String, expected: Int?) throws {
        #expect(try parse(stream).retry == expected)
    }

    // MARK: - End of stream and reuse

    @Test func finishPrefersDataOverSpecAndDispatchesTheLastEvent() throws {
        var parser = SSEParser()
        var events: [ServerSentEvent] = []
        try parser.feed(Array("id: 3\nevent: e\ndata: x".utf8)) { events.append($0) }
        #expect(events.isEmpty)
        try parser.finish { events.append($0) }
        #expect(events == [event("x", type: "e", id: "3")])
        #expect(parser.lastEventID == "3")
    }

    @Test func finishPreparesTheParserForAReconnectedStream() throws {
        var parser = SSEParser()
        var events: [ServerSentEvent] = []
        try parser.feed(Array("\u{FEFF}retry: 10\nid: 5\ndata: a\n\ndata: half".utf8)) { events.append($0) }
        try parser.finish { events.append($0) }
        try parser.feed(Array("\u{FEFF}data: b\n\n".utf8)) { events.append($0) }
        try parser.finish { events.append($0) }
        #expect(events == [event("a", id: "5"), event("half", id: "5"), event("b", id: "5")])
        #expect(parser.retry == 10)
    }

    @Test func errorsFromTheCallbackPropagate() {
        struct Stop: Error, Equatable {}
        var parser = SSEParser()
        #expect(throws: Stop()) {
            try parser.feed(Array("data: a\n\n".utf8)) { _ in throw Stop() }
        }
    }

    // MARK: - Size limit

    @Test(arguments: [
        ("data: 0123456789abcdef\n\n", false),
        ("data: 0123456789abcdefg\n\n", true),
        ("data: 01234567\ndata: 0123456\n\n", false),
        ("data: 01234567\ndata: 01234567\n\n", true),
        ("data:0123456789abcdef", false),
        ("data:0123456789abcdefg", true),
        ("retry: 0123456789abcdefghijklmno\n", true),
        // Comments count against the line limit in one chunk as when split (regression: Fuzz/targets/sse.swift).
        (": 0123456789abcdefghijkl\ndata: ok\n\n", false),
        (": 0123456789abcdefghijklm\ndata: ok\n\n", true),
    ])
    func eventLargerThanTheLimitThrows(_ stream: String, throwsError: Bool) throws {
        let bytes = Array(stream.utf8)
        for chunks in [[bytes], bytes.map { [$0] }] {
            if throwsError {
                #expect(throws: SSEParserError.eventTooLarge(limit: 16)) {
                    try parse(chunks, maxEventBytes: 16)
                }
            } else {
                #expect(throws: Never.self) { try parse(chunks, maxEventBytes: 16) }
            }
        }
    }

    @Test(arguments: ["data: ", "x: ", ""])
    func lineThatNeverEndsThrowsWithinTheLimit(_ prefix: String) throws {
        var parser = SSEParser(maxEventBytes: 4096)
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1024)
        try parser.feed(Array(prefix.utf8)) { _ in }
        var fedBytes = 0
        let error = #expect(throws: SSEParserError.self) {
            while fedBytes < 1 << 20 {
                try parser.feed(chunk) { _ in }
                fedBytes += chunk.count
            }
        }
        #expect(error == .eventTooLarge(limit: 4096))
        #expect(fedBytes <= 4096 + 8)
        #expect(error?.description == "server-sent event exceeds the 4096-byte limit")
    }

    // MARK: - Volume

    @Test func tenThousandEventsParseToTenThousandEvents() throws {
        var stream: [UInt8] = []
        for number in 1...10_000 {
            let line = "{\"jsonrpc\":\"2.0\",\"method\":\"notifications/progress\",\"params\":{\"progress\":\(number)}}"
            stream += Array("event: message\nid: \(number)\ndata: \(line)\n\n".utf8)
        }
        var parser = SSEParser()
        var events: [ServerSentEvent] = []
        for start in stride(from: 0, to: stream.count, by: 4093) {
            try parser.feed(Array(stream[start..<min(start + 4093, stream.count)])) { events.append($0) }
        }
        try parser.finish { events.append($0) }
        #expect(events.count == 10_000)
        #expect(events.map(\.id) == (1...10_000).map { String($0) })
        #expect(events.allSatisfy { $0.type == "message" && $0.data.last == UInt8(ascii: "}") })
        #expect(parser.lastEventID == "10000")
    }
}
