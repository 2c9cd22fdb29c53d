import BridgePlatform

/// What the host wrote: a complete line, or notice that a line was too long to keep.
package enum StdinItem: Sendable {
    /// One line without its terminator (LF or CRLF); never empty or all whitespace.
    case line([UInt8])
    /// A line longer than the limit was discarded; `length` is how many bytes it had.
    case oversized(length: Int)
}

/// Splits a byte stream into newline-delimited lines with a size bound, independent of where reads split it.
///
/// Pure and synchronous so it can be tested table-driven and fuzzed; `StdinReader` feeds it from read(2).
package struct LineSplitter: Sendable {
    let maxLineBytes: Int
    private var partial: [UInt8] = []
    /// Bytes of an oversized line seen so far; while set, input is discarded up to the next newline.
    private var discarding: Int?

    package init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    package mutating func feed(_ chunk: UnsafeRawBufferPointer, emit: (StdinItem) -> Void) {
        var start = 0
        while start < chunk.count {
            guard let newline = Self.index(of: 0x0A, in: chunk, from: start) else {
                append(chunk, start..<chunk.count)
                return
            }
            append(chunk, start..<newline)
            endLine(emit)
            start = newline + 1
        }
    }

    /// End of input: a final line without a newline still counts (a host may close stdin mid-line).
    package mutating func finish(emit: (StdinItem) -> Void) {
        if !partial.isEmpty || discarding != nil { endLine(emit) }
    }

    private mutating func append(_ chunk: UnsafeRawBufferPointer, _ range: Range<Int>) {
        if let seen = discarding {
            discarding = seen + range.count
            return
        }
        if partial.count + range.count > maxLineBytes {
            discarding = partial.count + range.count
            partial = []
            return
        }
        partial.append(contentsOf: UnsafeRawBufferPointer(rebasing: chunk[range]))
    }

    private mutating func endLine(_ emit: (StdinItem) -> Void) {
        if let length = discarding {
            discarding = nil
            emit(.oversized(length: length))
            return
        }
        if partial.last == 0x0D { partial.removeLast() }
        if partial.contains(where: { !Self.isJSONWhitespace($0) }) {
            emit(.line(partial))
        }
        partial = []
    }

    private static func isJSONWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0D || byte == 0x0A
    }

    private static func index(of byte: UInt8, in buffer: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = buffer.baseAddress, start < buffer.count else { return nil }
        guard let found = memchr(base + start, Int32(byte), buffer.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }
}
