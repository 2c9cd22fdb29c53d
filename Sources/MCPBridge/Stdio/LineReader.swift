#if canImport(Glibc)
import Glibc
#endif

/// What the host wrote: a complete line, or notice that a line was too long to keep.
enum StdinItem: Sendable {
    /// One line without its terminator (LF or CRLF); never empty or all whitespace.
    case line([UInt8])
    /// A line longer than the limit was discarded; `length` is how many bytes it had.
    case oversized(length: Int)
}

/// Splits a byte stream into newline-delimited lines with a size bound, independent of where reads split it.
///
/// Pure and synchronous so it can be tested table-driven and fuzzed; `StdinReader` feeds it from read(2).
struct LineSplitter: Sendable {
    let maxLineBytes: Int
    private var partial: [UInt8] = []
    /// Bytes of an oversized line seen so far; while set, input is discarded up to the next newline.
    private var discarding: Int?

    init(maxLineBytes: Int) {
        self.maxLineBytes = maxLineBytes
    }

    mutating func feed(_ chunk: UnsafeRawBufferPointer, emit: (StdinItem) -> Void) {
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
    mutating func finish(emit: (StdinItem) -> Void) {
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

/// Reads the host's stdin on the HTTP driver's thread (`CurlDriver.watch`) and yields lines.
///
/// The driver polls stdin next to its sockets and calls `read(2)` only when it is readable, so the read returns at
/// once; the lines' consumer runs on that same thread, so a host message reaches its POST without a thread hand-off
/// (a reader thread of its own cost a wake-up of the driver, ~3 system calls and a context switch, per burst).
/// stdin is never switched to O_NONBLOCK: that flag lives on the open file description, which the host (or a
/// terminal) shares with us.
enum StdinReader {
    static func lines(fd: Int32 = STDIN_FILENO, maxLineBytes: Int, on driver: CurlDriver) -> StdinChannel {
        let channel = StdinChannel()
        let reader = Reader(fd: fd, maxLineBytes: maxLineBytes, channel: channel)
        if isStream(fd) {
            driver.watch(fd, isPaused: { channel.isFull }) { reader.readOnce() }
        } else {
            channel.finish()
        }
        return channel
    }

    /// A pipe, socket, terminal, file or device. A host that closed our stdin leaves descriptor 0 to whatever the
    /// runtime opens first (libdispatch's epoll instance): that is no input, and polling it would wait forever.
    private static func isStream(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        switch info.st_mode & S_IFMT {
        case S_IFIFO, S_IFSOCK, S_IFCHR, S_IFREG, S_IFBLK: return true
        default: return false
        }
    }

    /// Confinement: created here, then used only by the driver thread's `watch` handler.
    private final class Reader: @unchecked Sendable {
        let fd: Int32
        var splitter: LineSplitter
        let channel: StdinChannel
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)

        init(fd: Int32, maxLineBytes: Int, channel: StdinChannel) {
            self.fd = fd
            self.splitter = LineSplitter(maxLineBytes: maxLineBytes)
            self.channel = channel
        }

        deinit { buffer.deallocate() }

        /// One `read(2)`; false at end of input (or a read error), after the last line is out.
        func readOnce() -> Bool {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { return true }
            guard n > 0 else {
                splitter.finish { channel.yield($0) }
                channel.finish()
                return false
            }
            splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n])) { channel.yield($0) }
            return true
        }
    }
}
