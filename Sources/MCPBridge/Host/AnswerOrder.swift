import Synchronization

/// `--ordered`: answers leave in the order the host's requests arrived, for scripts that pipe a batch and read
/// the answers back line by line. An answer that is ready early waits for those before it; a request cancelled by
/// the host gives up its place. Notifications and server requests are not held (they belong to no place).
///
/// Written to only through `ReplySink`. Whoever finds the next answers ready becomes the one writer and writes
/// every answer that is ready, in order, until none is; others only leave theirs in `waiting`, so two tasks never
/// write out of turn.
final class AnswerOrder: Sendable {
    private enum Slot {
        case line([UInt8])
        case skipped
    }

    private struct State {
        var next = 0
        var waiting: [Int: Slot] = [:]
        var writing = false

        /// The ready run starting at `next`; marks the caller the writer when it is not empty.
        mutating func takeRun() -> [[UInt8]] {
            var lines: [[UInt8]] = []
            while let slot = waiting.removeValue(forKey: next) {
                next += 1
                if case .line(let line) = slot { lines.append(line) }
            }
            return lines
        }
    }

    private let state = Mutex(State())

    /// The answer of the request numbered `sequence`.
    func answer(_ sequence: Int, line: [UInt8], to output: StdoutWriter) async {
        await settle(sequence, .line(line), output)
    }

    /// The request numbered `sequence` will have no answer (cancelled, or answered inside a batch line).
    func skip(_ sequence: Int, output: StdoutWriter) async {
        await settle(sequence, .skipped, output)
    }

    private func settle(_ sequence: Int, _ slot: Slot, _ output: StdoutWriter) async {
        var lines = state.withLock { state -> [[UInt8]] in
            state.waiting[sequence] = slot
            guard !state.writing else { return [] }
            let run = state.takeRun()
            state.writing = !run.isEmpty
            return run
        }
        while !lines.isEmpty {
            for line in lines { await output.write(line) }
            lines = state.withLock { state in
                let run = state.takeRun()
                state.writing = !run.isEmpty
                return run
            }
        }
    }
}
