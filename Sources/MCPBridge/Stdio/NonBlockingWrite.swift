import BridgePlatform
import Synchronization

/// Writes as much of a list of lines (each followed by a newline) as stdout takes right now, without blocking
/// and without switching the descriptor to O_NONBLOCK (that flag lives on the open file description, which the
/// host shares with us).
///
/// `pwritev2(RWF_NOWAIT)` (`NoWaitWrite`) does that in one system call on Linux pipes: it writes what fits and fails
/// with EAGAIN instead of sleeping. Where it is missing or refused (Darwin, an older kernel, a terminal, a socket), `poll`
/// vouches for `PIPE_BUF` bytes of room, so up to that many go out with a plain `writev`; anything larger is left
/// for the writer thread.
enum NonBlockingWrite {
    /// Where a write stopped: `lines` complete lines (with their newlines) plus `offset` bytes of the next one.
    struct Progress: Equatable {
        var lines = 0
        var offset = 0
    }

    /// Set once `RWF_NOWAIT` is refused for this kind of descriptor; then only the `poll` path is used.
    private static let noWaitRefused = Atomic<Bool>(false)

    /// Lines below this size are gathered into one buffer and written together; a larger one is written from its
    /// own storage, never copied.
    static let stagingLimit = 64 << 10

    /// Writes from `start` on: a run of small lines in one call, or one large line. Returns how far it got, nil
    /// when stdout is gone.
    static func write(_ lines: ArraySlice<[UInt8]>, from start: Progress, fd: Int32) -> Progress? {
        guard let first = lines.first else { return start }
        let written: Int?
        if lines.count == 1 || start.offset > 0 || first.count >= stagingLimit {
            written = writeLine(first, skipping: start.offset, fd: fd)
        } else {
            var end = lines.startIndex
            var size = 0
            while end < lines.endIndex, lines[end].count < stagingLimit, size + lines[end].count < stagingLimit {
                size += lines[end].count + 1
                end += 1
            }
            var staging: [UInt8] = []
            staging.reserveCapacity(size)
            for line in lines[..<end] {
                staging.append(contentsOf: line)
                staging.append(0x0A)
            }
            written = staging.withUnsafeBytes { buffer in
                attempt([iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count)],
                        total: buffer.count, fd: fd)
            }
        }
        return written.map { advance(start, by: $0, over: lines) }
    }

    /// One line (from byte `skip` on) and its newline, without copying the line.
    private static func writeLine(_ line: [UInt8], skipping skip: Int, fd: Int32) -> Int? {
        var newline: UInt8 = 0x0A
        return line.withUnsafeBytes { buffer in
            withUnsafeMutablePointer(to: &newline) { newlinePointer in
                var vectors: [iovec] = []
                if skip < buffer.count, let base = buffer.baseAddress {
                    vectors.append(iovec(iov_base: UnsafeMutableRawPointer(mutating: base + skip),
                                         iov_len: buffer.count - skip))
                }
                vectors.append(iovec(iov_base: UnsafeMutableRawPointer(newlinePointer), iov_len: 1))
                return attempt(vectors, total: buffer.count - min(skip, buffer.count) + 1, fd: fd)
            }
        }
    }

    /// Bytes written (0 when stdout has no room now), nil when stdout is gone.
    private static func attempt(_ vectors: [iovec], total: Int, fd: Int32) -> Int? {
        if NoWaitWrite.isAvailable, !noWaitRefused.load(ordering: .relaxed) {
            var n: Int
            repeat { n = vectors.withUnsafeBufferPointer { NoWaitWrite.write(fd, $0) } } while n < 0 && errno == EINTR
            if n >= 0 { return n }
            switch errno {
            case EAGAIN: return 0
            case EOPNOTSUPP, EINVAL, ENOSYS: noWaitRefused.store(true, ordering: .relaxed)
            default: return nil
            }
        }
        guard total <= Int(PIPE_BUF) else { return 0 }
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&entry, 1, 0) == 1 else { return 0 }
        if entry.revents & Int16(POLLERR | POLLHUP | POLLNVAL) != 0 { return nil }
        var n: Int
        repeat { n = vectors.withUnsafeBufferPointer { writev(fd, $0.baseAddress, Int32($0.count)) } }
        while n < 0 && errno == EINTR
        return n < 0 ? (errno == EAGAIN ? 0 : nil) : n
    }

    private static func advance(_ start: Progress, by written: Int, over lines: ArraySlice<[UInt8]>) -> Progress {
        var progress = start
        var left = written
        for line in lines {
            let remaining = line.count + 1 - progress.offset
            if left < remaining {
                progress.offset += left
                return progress
            }
            left -= remaining
            progress.lines += 1
            progress.offset = 0
        }
        return progress
    }
}
