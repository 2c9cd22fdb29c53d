import Foundation
import Synchronization

/// Collects everything a child writes to one pipe, on a thread of its own, so tests can wait for lines with a
/// deadline instead of blocking forever on a read.
final class PipeReader: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var consumed = 0
        var closed = false
    }

    private let state = Mutex(State())

    init(_ handle: FileHandle) {
        let fd = handle.fileDescriptor
        Thread.detachNewThread { [self] in
            var chunk = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { break }
                state.withLock { $0.buffer.append(contentsOf: chunk[0..<n]) }
            }
            state.withLock { $0.closed = true }
        }
    }

    /// The next complete line (without its newline), or nil once the pipe closed with no further line.
    func nextLine(timeout: Duration) async throws -> String? {
        let deadline = ContinuousClock.now + timeout
        while true {
            let result = state.withLock { state -> (String?, Bool) in
                let unread = state.buffer[state.consumed...]
                if let newline = unread.firstIndex(of: 0x0A) {
                    let line = String(decoding: state.buffer[state.consumed..<newline], as: UTF8.self)
                    state.consumed = newline + 1
                    return (line, false)
                }
                return (nil, state.closed)
            }
            if let line = result.0 { return line }
            if result.1 { return nil }
            guard ContinuousClock.now < deadline else { throw TestFailure("no line within \(timeout)") }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    /// Everything received so far, as text.
    var text: String { state.withLock { String(decoding: $0.buffer, as: UTF8.self) } }

    var isClosed: Bool { state.withLock { $0.closed } }

    /// Bytes not yet returned as lines.
    var unreadCount: Int { state.withLock { $0.buffer.count - $0.consumed } }
}
