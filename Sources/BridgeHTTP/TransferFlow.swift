import Synchronization

/// Backpressure between the driver thread and the task consuming a transfer's body.
///
/// libcurl delivers bytes as fast as the network does; when the consumer (ultimately the host reading our stdout)
/// falls behind, the driver pauses the transfer instead of buffering without bound. The consumer reports each
/// chunk it has finished with, and asks the driver to resume once the backlog has drained.
package final class TransferFlow: Sendable {
    /// Bytes handed to the consumer but not yet processed; above this the transfer pauses.
    static let highWater = 4 << 20
    static let lowWater = 1 << 20

    private struct State {
        var buffered = 0
        var paused = false
    }

    private let state = Mutex(State())

    /// Driver thread: may this chunk be delivered now? Returns false (and records the pause) when over the mark.
    func admit(_ count: Int) -> Bool {
        state.withLock { state in
            if state.buffered >= Self.highWater {
                state.paused = true
                return false
            }
            state.buffered += count
            return true
        }
    }

    /// Driver thread: counts a chunk delivered regardless of the mark (a held JSON body, see `Transfer`).
    func add(_ count: Int) {
        state.withLock { $0.buffered += count }
    }

    /// Consumer: a chunk has been processed. Returns true when the caller must ask the driver to resume.
    func consumed(_ count: Int) -> Bool {
        state.withLock { state in
            state.buffered -= count
            if state.paused && state.buffered <= Self.lowWater {
                state.paused = false
                return true
            }
            return false
        }
    }
}
