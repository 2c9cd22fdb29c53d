import Testing

@testable import BridgeWire
@testable import MCPBridge

/// What the splitter emitted, in a comparable form.
private enum Item: Equatable, CustomStringConvertible {
    case line(String)
    case oversized(Int)

    init(_ item: StdinItem) {
        switch item {
        case .line(let bytes): self = .line(String(decoding: bytes, as: UTF8.self))
        case .oversized(let length): self = .oversized(length)
        }
    }

    var description: String {
        switch self {
        case .line(let text): "line(\(text.debugDescription))"
        case .oversized(let length): "oversized(\(length))"
        }
    }
}

/// Feeds `chunks` in order, then finishes, and returns everything emitted.
private func split(_ chunks: [[UInt8]], maxLineBytes: Int = 64) -> [Item] {
    var splitter = LineSplitter(maxLineBytes: maxLineBytes)
    var items: [Item] = []
    for chunk in chunks {
        chunk.withUnsafeBytes { splitter.feed($0) { items.append(Item($0)) } }
    }
    splitter.finish { items.append(Item($0)) }
    return items
}

private func split(_ text: String, maxLineBytes: Int = 64) -> [Item] {
    split([Array(text.utf8)], maxLineBytes: maxLineBytes)
}

/// Unit tests for stdin framing: how stdin bytes become lines, independent of where read(2) splits them.
@Suite("LineSplitter")
struct LineSplitterTests {
    fileprivate static let inputs: [(String, [Item])] = [
        ("{\"a\":1}\n{\"b\":2}\r\n\n  \t\r\n{\"c\":3}\n", [.line("{\"a\":1}"), .line("{\"b\":2}"), .line("{\"c\":3}")]),
        ("one\r\n\r\ntwo", [.line("one"), .line("two")]),
        ("short\n" + String(repeating: "y", count: 20) + "\nnext\n", [.line("short"), .oversized(20), .line("next")]),
        ("x\r\n" + String(repeating: "z", count: 30) + "\r\ntail", [.line("x"), .oversized(31), .line("tail")]),
    ]

    @Test(arguments: 0..<inputs.count)
    func everySplitPointIntoTwoChunksGivesTheSameItems(_ index: Int) {
        let (text, expected) = Self.inputs[index]
        let bytes = Array(text.utf8)
        #expect(split([bytes], maxLineBytes: 16) == expected)
        for cut in 0...bytes.count {
            let items = split([Array(bytes[..<cut]), Array(bytes[cut...])], maxLineBytes: 16)
            #expect(items == expected, "split at \(cut)")
        }
    }

    @Test func byteByByteFeedingGivesTheSameItems() {
        for (text, expected) in Self.inputs {
            #expect(split(Array(text.utf8).map { [$0] }, maxLineBytes: 16) == expected)
        }
    }

    @Test func crlfIsStrippedButOtherTrailingBytesAreKept() {
        #expect(split("{\"id\":1}\r\n") == [.line("{\"id\":1}")])
        #expect(split("a \r\n") == [.line("a ")])
        // Only one CR belongs to the terminator.
        #expect(split("b\r\r\n") == [.line("b\r")])
    }

    @Test func blankAndWhitespaceOnlyLinesAreSkipped() {
        #expect(split("\n\r\n   \n\t\t\n \r \r\n").isEmpty)
        #expect(split("\n  x  \n\n") == [.line("  x  ")])
    }

    @Test func anOversizedLineIsReportedOnceWithItsLengthAndTheNextLineIsIntact() {
        let long = String(repeating: "q", count: 100)
        let chunks = [Array("first\n\(long.prefix(30))".utf8), Array(long.dropFirst(30).prefix(40).utf8),
                      Array("\(long.dropFirst(70))\nsecond\n".utf8)]
        #expect(split(chunks, maxLineBytes: 16) == [.line("first"), .oversized(100), .line("second")])
    }

    @Test func aLineExactlyAtTheLimitIsKept() {
        let exact = String(repeating: "e", count: 16)
        #expect(split(exact + "\n" + exact + "e\n", maxLineBytes: 16) == [.line(exact), .oversized(17)])
    }

    @Test func finishEmitsATrailingPartialLine() {
        #expect(split("{\"id\":1}\n{\"id\":2}") == [.line("{\"id\":1}"), .line("{\"id\":2}")])
        #expect(split("partial\r") == [.line("partial")])
        #expect(split("   ").isEmpty)
        #expect(split(String(repeating: "w", count: 70)) == [.oversized(70)])
    }

    @Test func finishOnEmptyInputEmitsNothing() {
        #expect(split("").isEmpty)
        #expect(split("done\n") == [.line("done")])
    }
}
