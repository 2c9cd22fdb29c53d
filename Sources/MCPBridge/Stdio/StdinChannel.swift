import BridgeWire
import Synchronization

/// Carries the host's lines from the stdin reader (driver thread) to the pump task that routes them.
///
/// One producer, one consumer, concrete types: `AsyncStream`'s general storage (a deque and unspecialised generic
/// code that looks up type metadata on every yield and next) is more than one line per hand-off needs.
/// The reader stops reading while `isFull` (see `EventLoop.watch`): a host that writes faster than the bridge
/// admits requests (`--max-in-flight`) then waits in the pipe, not in our memory. `stop` ends the sequence at once
/// (the bridge is shutting down), dropping what is buffered.
final class StdinChannel: AsyncSequence, Sendable {
    typealias Element = StdinItem

    private enum Taken {
        case item(StdinItem), end, wait
    }

    /// Past either, the reader pauses: enough to keep the pump busy, little enough to stay small.
    static let highWaterLines = 4096
    static let highWaterBytes = 4 << 20

    private struct State {
        var buffer: [StdinItem] = []
        var position = 0
        var bufferedBytes = 0
        var ended = false
        var waiter: UnsafeContinuation<StdinItem?, Never>?

        mutating func take() -> Taken {
            guard position < buffer.count else { return ended ? .end : .wait }
            let item = buffer[position]
            bufferedBytes -= item.byteCount
            position += 1
            if position == buffer.count {
                buffer.removeAll(keepingCapacity: true)
                position = 0
            }
            return .item(item)
        }
    }

    private let state = Mutex(State())

    // MARK: Producer (driver thread)

    func yield(_ item: StdinItem) {
        let waiter = state.withLock { state -> UnsafeContinuation<StdinItem?, Never>? in
            guard !state.ended else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(item)
            state.bufferedBytes += item.byteCount
            return nil
        }
        waiter?.resume(returning: item)
    }

    /// Whether the reader should stop reading until the pump catches up.
    var isFull: Bool {
        state.withLock { state in
            state.buffer.count - state.position >= Self.highWaterLines || state.bufferedBytes >= Self.highWaterBytes
        }
    }

    /// End of input: the consumer gets what is buffered, then nil.
    func finish() {
        end(dropping: false)
    }

    /// Ends the sequence now, dropping buffered lines.
    func stop() {
        end(dropping: true)
    }

    private func end(dropping: Bool) {
        let waiter = state.withLock { state -> UnsafeContinuation<StdinItem?, Never>? in
            state.ended = true
            if dropping { state.buffer = []; state.position = 0; state.bufferedBytes = 0 }
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume(returning: nil)
    }

    // MARK: Consumer

    func next() async -> StdinItem? {
        switch state.withLock({ $0.take() }) {
        case .item(let item): return item
        case .end: return nil
        case .wait: break
        }
        return await withUnsafeContinuation { continuation in
            let taken = state.withLock { state -> Taken in
                let taken = state.take()
                if case .wait = taken { state.waiter = continuation }
                return taken
            }
            switch taken {
            case .item(let item): continuation.resume(returning: item)
            case .end: continuation.resume(returning: nil)
            case .wait: break
            }
        }
    }

    func makeAsyncIterator() -> Iterator {
        Iterator(channel: self)
    }

    struct Iterator: AsyncIteratorProtocol {
        let channel: StdinChannel

        mutating func next() async -> StdinItem? {
            await channel.next()
        }
    }
}

extension StdinItem {
    fileprivate var byteCount: Int {
        switch self {
        case .line(let bytes): bytes.count
        case .oversized: 0
        }
    }
}
