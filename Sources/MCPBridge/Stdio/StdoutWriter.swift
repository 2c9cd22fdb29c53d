import Dispatch
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// The single writer of stdout: whole JSON-RPC lines, in order, never interleaved.
///
/// Writes happen on a dedicated thread so a host that reads slowly blocks only that thread, never the Swift
/// concurrency pool (two threads on a two-core machine). Callers enqueue and return at once unless the backlog
/// passes `highWater`, in which case they suspend until it drains: that is the backpressure that ultimately
/// pauses a server's transfer. EPIPE (the host closed our stdout) is reported once through `onClosed`.
final class StdoutWriter: Sendable {
    static let highWater = 8 << 20

    private struct State {
        var queue: [[UInt8]] = []
        var queuedBytes = 0
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var writing = false
    }

    private let fd: Int32
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    private let onClosed: @Sendable () -> Void

    init(fd: Int32 = STDOUT_FILENO, onClosed: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.onClosed = onClosed
        DetachedThread.start { [self] in self.writeLoop() }
    }

    /// Queues one message; `line` must be a complete JSON text without raw newlines (see `OutputLine`).
    ///
    /// A small line written while nothing else is queued or being written goes out at once from the calling task
    /// when `poll` says stdout has room: it cannot block then, and it saves the wake-up of the writer thread,
    /// which measured as one of the ~2 context switches per relayed call.
    func write(_ line: [UInt8]) async {
        let (inline, mustWait) = state.withLock { state -> (Bool, Bool) in
            guard !state.closed else { return (false, false) }
            if state.queue.isEmpty, !state.writing, line.count < Self.inlineLimit, canWriteWithoutBlocking() {
                state.writing = true
                return (true, false)
            }
            state.queue.append(line)
            state.queuedBytes += line.count + 1
            return (false, state.queuedBytes > Self.highWater)
        }
        if inline {
            finishWrite(ok: writeLine(line), written: 0)
            return
        }
        wakeup.signal()
        if mustWait {
            await withCheckedContinuation { continuation in
                let resumeNow = state.withLock { state -> Bool in
                    if state.closed || state.queuedBytes <= Self.highWater { return true }
                    state.waiters.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
    }

    /// Lines below this size may be written from the caller's task: with `POLLOUT` set a pipe has at least
    /// `PIPE_BUF` bytes free, so such a write completes without blocking.
    private static let inlineLimit = Int(PIPE_BUF)

    private func canWriteWithoutBlocking() -> Bool {
        var entry = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) == 1 && entry.revents & Int16(POLLOUT) != 0
    }

    /// One line and its newline in one `writev(2)`, without copying the line.
    private func writeLine(_ line: [UInt8]) -> Bool {
        var newline: UInt8 = 0x0A
        let total = line.count + 1
        let written = line.withUnsafeBytes { buffer in
            withUnsafeMutablePointer(to: &newline) { newlinePointer in
                var vectors = [
                    iovec(iov_base: UnsafeMutableRawPointer(mutating: buffer.baseAddress), iov_len: buffer.count),
                    iovec(iov_base: UnsafeMutableRawPointer(newlinePointer), iov_len: 1),
                ]
                var n: Int
                repeat { n = writev(fd, &vectors, 2) } while n < 0 && errno == EINTR
                return n
            }
        }
        if written == total { return true }
        if written < 0 { return false }
        // A short write (a signal, or another process writing the same pipe): finish the rest plainly.
        var rest = Array(line[min(written, line.count)...])
        if written <= line.count { rest.append(0x0A) }
        return writeBytes(rest)
    }

    /// Returns once everything queued so far has reached the kernel (or stdout is gone).
    func flush() async {
        await withCheckedContinuation { continuation in
            let done = state.withLock { state -> Bool in
                if state.closed || (state.queue.isEmpty && !state.writing) { return true }
                state.flushWaiters.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    private func writeLoop() {
        while true {
            wakeup.wait()
            while let batch = takeBatch() {
                let ok = writeAll(batch)
                finishWrite(ok: ok, written: batch.reduce(0) { $0 + $1.count + 1 })
                if !ok { return }
            }
        }
    }

    /// Ends a write by either path: releases the writer role, wakes those waiting for room or for a flush, and
    /// hands lines queued meanwhile to the writer thread. `written` counts queued bytes the write took.
    private func finishWrite(ok: Bool, written: Int) {
        let (waiters, flushers, pending) = state.withLock { state in
            state.writing = false
            state.queuedBytes -= written
            if !ok { state.closed = true; state.queue.removeAll(); state.queuedBytes = 0 }
            var waiters: [CheckedContinuation<Void, Never>] = []
            if state.closed || state.queuedBytes <= Self.highWater { swap(&waiters, &state.waiters) }
            var flushers: [CheckedContinuation<Void, Never>] = []
            if state.closed || state.queue.isEmpty { swap(&flushers, &state.flushWaiters) }
            return (waiters, flushers, !state.queue.isEmpty)
        }
        waiters.forEach { $0.resume() }
        flushers.forEach { $0.resume() }
        if !ok {
            onClosed()
        } else if pending {
            wakeup.signal()
        }
    }

    /// Takes everything queued; a burst of small lines then costs one `writev(2)` and no copying.
    private func takeBatch() -> [[UInt8]]? {
        state.withLock { state -> [[UInt8]]? in
            // While a caller writes inline it holds the writer role; it signals again when it is done.
            guard !state.queue.isEmpty, !state.writing else { return nil }
            state.writing = true
            defer { state.queue.removeAll(keepingCapacity: true) }
            return state.queue
        }
    }

    /// Writes each line followed by a newline, in order. Small lines are gathered into one `write(2)`; a large
    /// line is written from its own buffer, never copied (the only writer, so nothing can interleave).
    /// Returns false when stdout is gone (EPIPE or any other write error).
    private func writeAll(_ lines: [[UInt8]]) -> Bool {
        var staging: [UInt8] = []
        for line in lines {
            if line.count >= Self.stagingLimit {
                guard writeBytes(staging), writeBytes(line), writeBytes([0x0A]) else { return false }
                staging.removeAll(keepingCapacity: true)
                continue
            }
            staging.append(contentsOf: line)
            staging.append(0x0A)
            if staging.count >= Self.stagingLimit {
                guard writeBytes(staging) else { return false }
                staging.removeAll(keepingCapacity: true)
            }
        }
        return writeBytes(staging)
    }

    private static let stagingLimit = 64 << 10

    private func writeBytes(_ bytes: [UInt8]) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let n = Glibc.write(fd, base + offset, buffer.count - offset)
                if n < 0 {
                    if errno == EINTR { continue }
                    return false
                }
                offset += n
            }
            return true
        }
    }
}
