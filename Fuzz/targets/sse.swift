// Fuzz target: SSEParser (Sources/BridgeWire/SSE).
//
// Input layout: byte 0 picks the event size limit (small limits exercise the size checks), byte 1 seeds the
// chunking, the rest is the event-stream body. The body is parsed three ways (one chunk, random chunks derived from
// the input, one byte at a time) and compared with a naive line-by-line model of WHATWG's algorithm (plus the
// parser's documented deviation: `finish` dispatches a pending event that has data).
//
// Invariants: no crash; every event's data is within the limit; the same events, last event ID and retry whatever
// the chunking; an error exactly when the model says some line or event exceeds the limit, and then the events
// delivered before it are a prefix of the model's.

import BridgeWire
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size, fuzzOne)
}

struct SSEOutcome: Equatable {
    var events: [ServerSentEvent] = []
    var failed = false
    var lastEventID: String?
    var retry: Int?
}

func parseSSE(_ body: [UInt8], limit: Int, chunks: [Range<Int>]) -> SSEOutcome {
    var parser = SSEParser(maxEventBytes: limit)
    var outcome = SSEOutcome()
    do {
        for chunk in chunks {
            try parser.feed(Array(body[chunk])) { event in
                check(event.data.count <= limit, "event of \(event.data.count) bytes over the \(limit)-byte limit")
                outcome.events.append(event)
            }
        }
        try parser.finish { event in
            check(event.data.count <= limit, "event of \(event.data.count) bytes over the \(limit)-byte limit")
            outcome.events.append(event)
        }
    } catch {
        outcome.failed = true
        return outcome
    }
    outcome.lastEventID = parser.lastEventID
    outcome.retry = parser.retry
    return outcome
}

/// WHATWG's event stream interpretation, written for clarity rather than speed, with no size limit. `tooLarge` is
/// set when a line the parser would have to hold (any line, comments included) or an event's data exceeds the limit.
func modelSSE(_ input: [UInt8], limit: Int) -> (outcome: SSEOutcome, tooLarge: Bool) {
    var body = input[...]
    if body.starts(with: [0xEF, 0xBB, 0xBF]) { body = body.dropFirst(3) }
    var lines: [ArraySlice<UInt8>] = []
    var start = body.startIndex
    var i = body.startIndex
    while i < body.endIndex {
        let byte = body[i]
        if byte == 0x0A || byte == 0x0D {
            lines.append(body[start..<i])
            if byte == 0x0D, i + 1 < body.endIndex, body[i + 1] == 0x0A { i += 1 }
            start = i + 1
        }
        i += 1
    }
    if start < body.endIndex { lines.append(body[start...]) }

    var outcome = SSEOutcome()
    var tooLarge = false
    var data: [UInt8] = []
    var hasData = false
    var type: String?
    var idBuffer: String?
    func dispatch() {
        outcome.lastEventID = idBuffer
        defer { type = nil }
        guard hasData else { return }
        if data.count > limit { tooLarge = true }
        outcome.events.append(ServerSentEvent(type: type ?? "message", data: data, id: idBuffer))
        data = []
        hasData = false
    }
    for line in lines {
        if line.isEmpty {
            dispatch()
            continue
        }
        if line.count > limit + 8 { tooLarge = true }
        if line.first == UInt8(ascii: ":") { continue }
        let name: ArraySlice<UInt8>
        var value: ArraySlice<UInt8>
        if let colon = line.firstIndex(of: UInt8(ascii: ":")) {
            name = line[..<colon]
            value = line[(colon + 1)...]
            if value.first == 0x20 { value = value.dropFirst() }
        } else {
            name = line
            value = []
        }
        switch String(decoding: name, as: UTF8.self) {
        case "data":
            if hasData { data.append(0x0A) }
            data += value
            hasData = true
            if data.count > limit { tooLarge = true }
        case "event":
            type = value.isEmpty ? nil : String(decoding: value, as: UTF8.self)
        case "id":
            if !value.contains(0) { idBuffer = value.isEmpty ? nil : String(decoding: value, as: UTF8.self) }
        case "retry":
            if !value.isEmpty, value.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
                let ms = Int(String(decoding: value, as: UTF8.self))
            {
                outcome.retry = ms
            }
        default:
            break
        }
    }
    // The parser's deviation: a pending event with data is dispatched at the end of the stream.
    if hasData { dispatch() }
    return (outcome, tooLarge)
}

func fuzzOne(_ input: [UInt8]) {
    guard input.count >= 2 else { return }
    let limits = [0, 1, 2, 3, 7, 16, 64, 1 << 20]
    let limit = input[0] < 128 ? Int(input[0] % 64) : limits[Int(input[0]) % limits.count]
    let body = Array(input[2...])
    var random = FuzzRandom(seed: UInt64(input[1]) &* 0x1_0000_0001 ^ UInt64(body.count))

    var randomChunks: [Range<Int>] = []
    var position = 0
    while position < body.count {
        // Mostly small chunks so boundaries land inside CRLF, the BOM, field names and `data:` values; sometimes
        // an empty chunk, which must be harmless.
        let length = min(body.count - position, random.below(8) == 0 ? 0 : 1 + random.below(input[1] < 64 ? 4 : 24))
        randomChunks.append(position..<position + length)
        position += length
    }

    let whole = parseSSE(body, limit: limit, chunks: body.isEmpty ? [] : [0..<body.count])
    let chunked = parseSSE(body, limit: limit, chunks: randomChunks)
    let bytewise = parseSSE(body, limit: limit, chunks: (0..<body.count).map { $0..<$0 + 1 })
    let (model, tooLarge) = modelSSE(body, limit: limit)

    for (name, outcome) in [("whole", whole), ("chunked", chunked), ("bytewise", bytewise)] {
        check(outcome.failed == tooLarge, "\(name): failed=\(outcome.failed) but the model says tooLarge=\(tooLarge)")
        if tooLarge {
            check(
                outcome.events.count <= model.events.count
                    && Array(model.events.prefix(outcome.events.count)) == outcome.events,
                "\(name): events before the error are not a prefix of the model's")
        } else {
            check(outcome == model, "\(name): \(outcome) differs from the model \(model)")
        }
    }
}
