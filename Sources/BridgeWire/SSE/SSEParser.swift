import BridgePlatform

/// An incremental, byte-level parser for `text/event-stream` bodies, following WHATWG "event stream interpretation".
///
/// It is a pure value type with no I/O so the transport can feed it whatever chunk sizes libcurl delivers: a chunk may
/// end anywhere, including inside a field name, between the CR and LF of a CRLF, inside a UTF-8 sequence or inside
/// the BOM. Only the unterminated line and the event being built are kept, never the stream.
///
/// The data path never builds a `String`: bytes are found with `memchr` and copied in ranges. A `data:` line that
/// spans chunks is streamed straight into the event's buffer rather than buffered as a line and copied again, so a
/// 100 MB reply costs one copy plus the array's growth, not two.
///
/// One deliberate deviation from WHATWG, in ``finish(onEvent:)``: real MCP servers sometimes close the stream right
/// after the last `data:` line without the blank line, and dropping that event would lose a JSON-RPC response.
///
/// If ``feed(_:onEvent:)`` or ``finish(onEvent:)`` throws, the rest of that chunk is not parsed: abandon the stream.
/// ``finish(onEvent:)`` resets the per-stream state but keeps ``lastEventID`` and ``retry``, so the same parser can
/// read the stream that a client reconnects to with `Last-Event-ID`.
public struct SSEParser: Sendable {
    /// The largest event payload (the `data:` lines joined by LF) this parser will hold.
    public let maxEventBytes: Int

    /// The ID the event stream reported last, committed when an event ends (a blank line), as WHATWG does for the
    /// `EventSource`'s last event ID. It outlives events and ``finish(onEvent:)`` because it is what a reconnect sends.
    /// An `id:` with an empty value sets it to `nil`, the same as WHATWG's empty string: send no `Last-Event-ID`.
    public private(set) var lastEventID: String?

    /// The reconnection delay in milliseconds from the last valid `retry:` field; `nil` until the server sends one.
    public private(set) var retry: Int?

    /// Any single line may exceed `maxEventBytes` by a field name, colon and space, so that a `data:` line carrying
    /// exactly `maxEventBytes` of payload is accepted, yet a line that never ends is still cut off.
    private static let fieldOverhead = 8
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]
    /// Above this, a drained line buffer's storage is freed rather than kept for the next line, so one huge
    /// non-`data` line does not pin its memory for the rest of a long-lived stream.
    private static let retainedLineCapacity = 64 << 10

    private let maxLineBytes: Int
    /// Bytes of the unterminated line, unless it is a `data:` line whose value is being streamed into `dataBuffer`.
    private var lineBuffer: [UInt8] = []
    /// The unterminated line is a `data:` line whose value so far already sits in `dataBuffer`.
    private var partialLineIsData = false
    /// WHATWG's data buffer: each `data:` value followed by LF. Empty means "no `data:` field yet".
    private var dataBuffer: [UInt8] = []
    private var eventType: String?
    /// WHATWG's last event ID buffer: set by `id:` at once, committed to `lastEventID` when the event ends.
    private var idBuffer: String?
    /// How many BOM bytes the stream has started with so far, or `nil` once the BOM question is settled.
    private var byteOrderMarkMatched: Int? = 0
    /// The previous chunk ended in CR, so an LF at the start of the next one completes a CRLF, not an empty line.
    private var skipLeadingLF = false

    public init(maxEventBytes: Int = 64 << 20) {
        precondition(maxEventBytes >= 0, "maxEventBytes must not be negative")
        self.maxEventBytes = maxEventBytes
        let (sum, overflow) = maxEventBytes.addingReportingOverflow(Self.fieldOverhead)
        maxLineBytes = overflow ? .max : sum
    }

    /// Parses one chunk of the body, calling `onEvent` for each event it completes.
    ///
    /// - Throws: ``SSEParserError/eventTooLarge(limit:)``, or whatever `onEvent` throws.
    public mutating func feed(
        _ chunk: UnsafeRawBufferPointer,
        onEvent: (ServerSentEvent) throws -> Void
    ) throws {
        var start = skipPrelude(of: chunk)
        var scanner = LineBreakScanner(chunk)
        while let end = scanner.nextBreak(from: start) {
            try completeLine(chunk.slice(start..<end), onEvent: onEvent)
            start = end + 1
            if chunk[end] == .cr {
                if start == chunk.count {
                    skipLeadingLF = true
                } else if chunk[start] == .lf {
                    start += 1
                }
            }
        }
        try bufferPartialLine(chunk.slice(start..<chunk.count))
    }

    /// Parses one chunk of the body; see ``feed(_:onEvent:)``.
    public mutating func feed(_ bytes: [UInt8], onEvent: (ServerSentEvent) throws -> Void) throws {
        try bytes.withUnsafeBytes { try feed($0, onEvent: onEvent) }
    }

    /// Ends the stream: an unterminated last line is parsed as a line, then a pending event that has data is
    /// dispatched even without its blank line (the deliberate deviation described on ``SSEParser``). A pending event
    /// without data is discarded together with its `id:`, as WHATWG discards incomplete events.
    ///
    /// Afterwards the parser is ready for a new stream (BOM stripping included); ``lastEventID`` and ``retry`` remain.
    public mutating func finish(onEvent: (ServerSentEvent) throws -> Void) throws {
        defer { resetStream() }
        if let matched = byteOrderMarkMatched, matched > 0 {
            lineBuffer.append(contentsOf: Self.byteOrderMark[0..<matched])
        }
        if partialLineIsData {
            dataBuffer.append(.lf)
            partialLineIsData = false
        } else if !lineBuffer.isEmpty {
            var line: [UInt8] = []
            swap(&line, &lineBuffer)
            try line.withUnsafeBytes { try processLine($0, onEvent: onEvent) }
        }
        if !dataBuffer.isEmpty {
            try dispatch(onEvent: onEvent)
        }
    }

    // MARK: - Lines

    /// Strips a BOM (possibly split across chunks) at stream start and the LF half of a CRLF split across chunks.
    private mutating func skipPrelude(of chunk: UnsafeRawBufferPointer) -> Int {
        var start = 0
        while let matched = byteOrderMarkMatched, start < chunk.count {
            if chunk[start] == Self.byteOrderMark[matched] {
                start += 1
                byteOrderMarkMatched = matched + 1 < Self.byteOrderMark.count ? matched + 1 : nil
            } else {
                // Not a BOM after all: the bytes taken so far start the first line.
                lineBuffer.append(contentsOf: Self.byteOrderMark[0..<matched])
                byteOrderMarkMatched = nil
            }
        }
        if skipLeadingLF, start < chunk.count {
            skipLeadingLF = false
            if chunk[start] == .lf {
                start += 1
            }
        }
        return start
    }

    /// Handles the bytes before a line break, joining them to whatever earlier chunks left unterminated.
    private mutating func completeLine(
        _ tail: UnsafeRawBufferPointer,
        onEvent: (ServerSentEvent) throws -> Void
    ) throws {
        if partialLineIsData {
            try appendData(tail)
            dataBuffer.append(.lf)
            partialLineIsData = false
        } else if lineBuffer.isEmpty {
            try processLine(tail, onEvent: onEvent)
        } else {
            try checkLineLength(lineBuffer.count + tail.count)
            lineBuffer.append(contentsOf: tail)
            var line: [UInt8] = []
            swap(&line, &lineBuffer)
            defer {
                if line.capacity > Self.retainedLineCapacity {
                    line = []
                } else {
                    line.removeAll(keepingCapacity: true)
                }
                swap(&line, &lineBuffer)
            }
            try line.withUnsafeBytes { try processLine($0, onEvent: onEvent) }
        }
    }

    /// Keeps the bytes after the chunk's last line break for the next chunk, bounded by the size limit.
    private mutating func bufferPartialLine(_ bytes: UnsafeRawBufferPointer) throws {
        guard !bytes.isEmpty else { return }
        if partialLineIsData {
            try appendData(bytes)
            return
        }
        try checkLineLength(lineBuffer.count + bytes.count)
        lineBuffer.append(contentsOf: bytes)
        try divertDataValue()
    }

    /// Once an unterminated line is known to be `data:` and whether one space follows the colon, moves its value into
    /// the data buffer so the rest of a long line is copied only once.
    private mutating func divertDataValue() throws {
        let prefix = Field.dataPrefix
        guard lineBuffer.count > prefix.count, lineBuffer.starts(with: prefix) else { return }
        let valueStart = lineBuffer[prefix.count] == .space ? prefix.count + 1 : prefix.count
        try lineBuffer.withUnsafeBytes { line in
            try appendData(line.slice(valueStart..<line.count))
        }
        lineBuffer.removeAll(keepingCapacity: lineBuffer.capacity <= Self.retainedLineCapacity)
        partialLineIsData = true
    }

    /// Interprets one complete line (without its terminator).
    private mutating func processLine(
        _ line: UnsafeRawBufferPointer,
        onEvent: (ServerSentEvent) throws -> Void
    ) throws {
        guard let first = line.first else {
            try dispatch(onEvent: onEvent)
            return
        }
        // Checked before the comment test: a long comment split across chunks is refused while it is buffered, so
        // refusing it here too keeps the outcome independent of chunking (found by Fuzz/targets/sse.swift).
        try checkLineLength(line.count)
        guard first != .colon else { return }
        let name: UnsafeRawBufferPointer
        var value: UnsafeRawBufferPointer
        if let colon = line.index(ofByte: .colon, from: 0) {
            name = line.slice(0..<colon)
            value = line.slice(colon + 1..<line.count)
            if value.first == .space {
                value = value.slice(1..<value.count)
            }
        } else {
            name = line
            value = UnsafeRawBufferPointer(start: nil, count: 0)
        }
        guard let field = Field(name: name) else { return }
        try process(field, value: value)
    }

    private mutating func process(_ field: Field, value: UnsafeRawBufferPointer) throws {
        switch field {
        case .data:
            if dataBuffer.isEmpty {
                dataBuffer.reserveCapacity(value.count + 1)
            }
            try appendData(value)
            dataBuffer.append(.lf)
        case .event:
            eventType = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        case .id:
            if value.index(ofByte: 0, from: 0) == nil {
                idBuffer = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
            }
        case .retry:
            if let milliseconds = Self.parseRetry(value) {
                retry = milliseconds
            }
        }
    }

    // MARK: - Events

    private mutating func dispatch(onEvent: (ServerSentEvent) throws -> Void) throws {
        lastEventID = idBuffer
        let type = eventType ?? "message"
        eventType = nil
        guard !dataBuffer.isEmpty else { return }
        var data: [UInt8] = []
        swap(&data, &dataBuffer)
        data.removeLast()
        try onEvent(ServerSentEvent(type: type, data: data, id: lastEventID))
    }

    /// Appends to the event's data after checking that the payload it would dispatch stays within the limit.
    /// `dataBuffer` holds one LF per finished line, the last of which dispatch removes, so its count plus the new
    /// bytes is exactly that payload's size.
    private mutating func appendData(_ bytes: UnsafeRawBufferPointer) throws {
        guard dataBuffer.count + bytes.count <= maxEventBytes else {
            throw SSEParserError.eventTooLarge(limit: maxEventBytes)
        }
        dataBuffer.append(contentsOf: bytes.assumingMemoryBound(to: UInt8.self))
    }

    private func checkLineLength(_ count: Int) throws {
        guard count <= maxLineBytes else {
            throw SSEParserError.eventTooLarge(limit: maxEventBytes)
        }
    }

    private mutating func resetStream() {
        lineBuffer = []
        partialLineIsData = false
        dataBuffer = []
        eventType = nil
        idBuffer = lastEventID
        byteOrderMarkMatched = 0
        skipLeadingLF = false
    }

    /// WHATWG accepts only ASCII digits; anything else (signs, spaces, fractions) leaves the old value. A value too
    /// big for `Int` is ignored too, since no sane server means a delay of centuries.
    private static func parseRetry(_ value: UnsafeRawBufferPointer) -> Int? {
        guard !value.isEmpty else { return nil }
        var result = 0
        for byte in value {
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            let (shifted, overflowA) = result.multipliedReportingOverflow(by: 10)
            let (sum, overflowB) = shifted.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflowA, !overflowB else { return nil }
            result = sum
        }
        return result
    }
}

/// The fields WHATWG defines; every other field name is ignored.
private enum Field {
    case data, event, id, retry

    static let dataPrefix: [UInt8] = Array("data:".utf8)

    init?(name: UnsafeRawBufferPointer) {
        switch name.count {
        case 2 where name.elementsEqual("id".utf8): self = .id
        case 4 where name.elementsEqual("data".utf8): self = .data
        case 5 where name.elementsEqual("event".utf8): self = .event
        case 5 where name.elementsEqual("retry".utf8): self = .retry
        default: return nil
        }
    }
}

/// Finds CR and LF with `memchr`, remembering each byte's next position so that a stream that never uses CR pays
/// for one failed search per chunk rather than one per line.
private struct LineBreakScanner {
    private let bytes: UnsafeRawBufferPointer
    private var nextLF = -1
    private var nextCR = -1

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func nextBreak(from start: Int) -> Int? {
        if nextLF < start {
            nextLF = bytes.index(ofByte: .lf, from: start) ?? bytes.count
        }
        if nextCR < start {
            nextCR = bytes.index(ofByte: .cr, from: start) ?? bytes.count
        }
        let next = min(nextLF, nextCR)
        return next < bytes.count ? next : nil
    }
}

extension UnsafeRawBufferPointer {
    fileprivate func index(ofByte byte: UInt8, from start: Int) -> Int? {
        guard start < count, let base = baseAddress else { return nil }
        guard let hit = memchr(base + start, Int32(byte), count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(hit))
    }

    fileprivate func slice(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: self[range])
    }
}

extension UInt8 {
    fileprivate static let lf = UInt8(ascii: "\n")
    fileprivate static let cr = UInt8(ascii: "\r")
    fileprivate static let colon = UInt8(ascii: ":")
    fileprivate static let space = UInt8(ascii: " ")
}
