import BridgePlatform
import BridgeRuntime
import Dispatch
import Synchronization

/// The single writer of stdout: whole JSON-RPC lines, in order, never interleaved.
///
/// Lines are queued and written by whoever holds the writer role: the calling task when stdout takes the line
/// without blocking, the HTTP driver thread at the end of a round (`flushRound`: the first line its tasks write in
/// a round goes out at once, for latency; the rest of the round's lines follow in one system call, so the host is
/// woken once per burst, not per line), or a dedicated thread when stdout is full, so a host that reads slowly
/// blocks only that thread. Callers return at once unless the backlog passes `highWater`; then they suspend until
/// it drains: that is the backpressure that ultimately pauses a server's transfer. EPIPE (the host closed our
/// stdout) is reported once through `onClosed`.
final class StdoutWriter: Sendable {
    static let highWater = 8 << 20

    private struct State {
        var queue: [[UInt8]] = []
        /// Bytes of `queue[0]` a non-blocking write already took.
        var headOffset = 0
        var queuedBytes = 0
        var closed = false
        var waiters: [CheckedContinuation<Void, Never>] = []
        var flushWaiters: [CheckedContinuation<Void, Never>] = []
        var writing = false
        /// Lines queued by the round thread, waiting for its `flushRound`.
        var roundPending = false
        /// The round thread wrote a line since its last `flushRound`: later lines of the round wait for it.
        var roundWrote = false
    }

    private let fd: Int32
    private let state = Mutex(State())
    private let wakeup = DispatchSemaphore(value: 0)
    private let onClosed: @Sendable () -> Void
    /// True on the thread that calls `flushRound` before it sleeps (the HTTP driver).
    private let isRoundThread: @Sendable () -> Bool

    init(fd: Int32 = STDOUT_FILENO, isRoundThread: @escaping @Sendable () -> Bool = { false },
         onClosed: @escaping @Sendable () -> Void) {
        self.fd = fd
        self.onClosed = onClosed
        self.isRoundThread = isRoundThread
        DetachedThread.start { [self] in self.writeLoop() }
    }

    private enum Next {
        case nothing, writeNow, wakeWriter
    }

    /// Queues one message; `line` must be a complete JSON text without raw newlines (see `OutputLine`).
    func write(_ line: [UInt8]) async {
        let onRoundThread = isRoundThread()
        let (next, mustWait) = state.withLock { state -> (Next, Bool) in
            guard !state.closed else { return (.nothing, false) }
            state.queue.append(line)
            state.queuedBytes += line.count + 1
            let mustWait = state.queuedBytes > Self.highWater
            if onRoundThread, !mustWait, state.roundWrote || state.writing || state.queue.count > 1 {
                state.roundPending = true
                return (.nothing, false)
            }
            if !state.writing, state.queue.count == 1 {
                if onRoundThread { state.roundWrote = true }
                state.writing = true
                return (.writeNow, mustWait)
            }
            return (.wakeWriter, mustWait)
        }
        switch next {
        case .nothing: break
        case .writeNow: writeWithoutBlocking()
        case .wakeWriter: wakeup.signal()
        }
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

    /// Writes what the round thread queued since its last round. Called by that thread before it sleeps.
    func flushRound() {
        let take = state.withLock { state -> Bool in
            state.roundWrote = false
            guard state.roundPending else { return false }
            state.roundPending = false
            guard !state.writing, !state.queue.isEmpty else { return false }
            state.writing = true
            return true
        }
        if take { writeWithoutBlocking() }
    }

    /// Returns once everything queued so far has reached the kernel (or stdout is gone).
    func flush() async {
        await withCheckedContinuation { continuation in
            let (done, wake) = state.withLock { state -> (Bool, Bool) in
                if state.closed || (state.queue.isEmpty && !state.writing) { return (true, false) }
                state.flushWaiters.append(continuation)
                return (false, !state.writing)
            }
            if done { continuation.resume() }
            if wake { wakeup.signal() }  // lines waiting for a round that may never come
        }
    }

    /// Holding the writer role: writes as much of the queue as stdout takes now, leaves the rest to the thread.
    private func writeWithoutBlocking() {
        let (lines, offset) = state.withLock { ($0.queue, $0.headOffset) }
        var progress = NonBlockingWrite.Progress(lines: 0, offset: offset)
        var ok = true
        while progress.lines < lines.count {
            guard let next = NonBlockingWrite.write(lines[progress.lines...], from: progress, fd: fd) else {
                ok = false
                break
            }
            if next == progress { break }  // no room now
            progress = next
        }
        finishWrite(ok: ok, lines: lines[..<progress.lines], startOffset: offset, endOffset: progress.offset)
    }

    private func writeLoop() {
        while true {
            wakeup.wait()
            while let (lines, offset) = takeBatch() {
                let ok = writeAll(lines, skipping: offset)
                finishWrite(ok: ok, lines: lines[...], startOffset: offset, endOffset: 0)
                if !ok { return }
            }
        }
    }

    /// Ends a write by either path: drops the lines written (`lines` whole, less `startOffset` bytes written
    /// before, plus `endOffset` bytes of the next), releases the writer role, wakes those waiting for room or for a
    /// flush, and hands what is left to the writer thread.
    private func finishWrite(ok: Bool, lines: ArraySlice<[UInt8]>, startOffset: Int, endOffset: Int) {
        let written = lines.reduce(0) { $0 + $1.count + 1 } - startOffset + endOffset
        let (waiters, flushers, pending) = state.withLock { state in
            state.writing = false
            state.queue.removeFirst(lines.count)
            state.headOffset = endOffset
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

    /// Takes everything queued (and how much of the first line is already out).
    private func takeBatch() -> ([[UInt8]], Int)? {
        state.withLock { state -> ([[UInt8]], Int)? in
            // While another path writes it holds the writer role; it signals again when it is done.
            guard !state.queue.isEmpty, !state.writing else { return nil }
            state.writing = true
            state.roundPending = false
            return (state.queue, state.headOffset)
        }
    }

    /// Writes each line followed by a newline, in order, blocking as long as stdout is full. Small lines are
    /// gathered into one `write(2)`; a large line is written from its own buffer, never copied (the only writer, so
    /// nothing can interleave). Returns false when stdout is gone (EPIPE or any other write error).
    private func writeAll(_ lines: [[UInt8]], skipping offset: Int) -> Bool {
        var staging: [UInt8] = []
        for (index, line) in lines.enumerated() {
            let skip = index == 0 ? min(offset, line.count + 1) : 0
            if skip > 0 || line.count >= NonBlockingWrite.stagingLimit {
                guard writeBytes(staging) else { return false }
                staging.removeAll(keepingCapacity: true)
                if skip < line.count { guard writeBytes(line[skip...]) else { return false } }
                if skip <= line.count { guard writeBytes([0x0A][...]) else { return false } }
                continue
            }
            staging.append(contentsOf: line)
            staging.append(0x0A)
            if staging.count >= NonBlockingWrite.stagingLimit {
                guard writeBytes(staging) else { return false }
                staging.removeAll(keepingCapacity: true)
            }
        }
        return writeBytes(staging)
    }

    private func writeBytes(_ bytes: [UInt8]) -> Bool {
        writeBytes(bytes[...])
    }

    private func writeBytes(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return true }
            var offset = 0
            while offset < buffer.count {
                let n = FileDescriptorIO.write(fd, base + offset, buffer.count - offset)
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
