import Synchronization

/// Carries one transfer's events from the driver thread to the one task that reads them.
///
/// Consumers see an `AsyncSequence` of concrete types (`TransferEvents`) rather than an `AsyncThrowingStream`: a
/// transfer has exactly one producer and one consumer and usually one to three events, and the stream's general
/// storage (lock, deque, unspecialised generic code that looks up type metadata at run time, termination handlers)
/// is paid on every call (BENCHMARKS.md's notes have the measurements).
///
/// It keeps that storage's contract: events are buffered without bound (the transfer's `TransferFlow` bounds
/// them), a failure is thrown once after the buffered events, then `nil` follows for ever. A consumer that is
/// cancelled while waiting gets `nil`, and a consumer that cancels or drops the stream before the end calls
/// `onCancel` once (the driver then aborts the transfer).
package final class TransferChannel: Sendable {
    private enum End {
        case finished
        case failed(any Error)
    }

    private enum Take {
        case event(TransferEvent)
        case end((any Error)?)
        case wait
    }

    private struct State {
        var buffer: [TransferEvent] = []
        var position = 0
        var end: End?
        var cancelled = false
        var waiter: UnsafeContinuation<TransferEvent?, any Error>?

        mutating func take() -> Take {
            if position < buffer.count {
                let event = buffer[position]
                position += 1
                if position == buffer.count {
                    buffer.removeAll(keepingCapacity: true)
                    position = 0
                }
                return .event(event)
            }
            switch end {
            case .failed(let error):
                end = .finished
                return .end(error)
            case .finished:
                return .end(nil)
            case nil:
                return cancelled ? .end(nil) : .wait
            }
        }
    }

    private let state = Mutex(State())
    private let onCancel: @Sendable () -> Void

    init(onCancel: @escaping @Sendable () -> Void) {
        self.onCancel = onCancel
    }

    /// The consumer's view. Dropping it (and its iterators) before the end counts as cancelling.
    func makeStream() -> TransferEvents {
        TransferEvents(reader: Reader(channel: self))
    }

    /// Ends the transfer for the consumer when the last reference to the stream goes away.
    final class Reader: Sendable {
        let channel: TransferChannel
        init(channel: TransferChannel) { self.channel = channel }
        deinit { channel.cancel() }
    }

    // MARK: Producer (driver thread)

    func yield(_ event: TransferEvent) {
        let waiter = state.withLock { state -> UnsafeContinuation<TransferEvent?, any Error>? in
            guard state.end == nil, !state.cancelled else { return nil }
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.buffer.append(event)
            return nil
        }
        waiter?.resume(returning: event)
    }

    func finish(throwing error: (any Error)? = nil) {
        let waiter = state.withLock { state -> UnsafeContinuation<TransferEvent?, any Error>? in
            guard state.end == nil else { return nil }
            let waiter = state.waiter
            state.waiter = nil
            // A waiter means nothing is buffered: it receives the end itself, so the failure is then delivered.
            state.end = waiter == nil ? (error.map { .failed($0) } ?? .finished) : .finished
            return waiter
        }
        guard let waiter else { return }
        if let error { waiter.resume(throwing: error) } else { waiter.resume(returning: nil) }
    }

    // MARK: Consumer

    func next() async throws -> TransferEvent? {
        if !Task.isCancelled, case let taken = state.withLock({ $0.take() }), !Self.mustWait(taken) {
            return try Self.result(of: taken)
        }
        return try await withTaskCancellationHandler {
            try await withUnsafeThrowingContinuation { continuation in
                let taken = state.withLock { state -> Take in
                    let taken = state.take()
                    if case .wait = taken { state.waiter = continuation }
                    return taken
                }
                switch taken {
                case .event(let event): continuation.resume(returning: event)
                case .end(let error?): continuation.resume(throwing: error)
                case .end(nil): continuation.resume(returning: nil)
                case .wait: break
                }
            }
        } onCancel: {
            cancel()
        }
    }

    /// The consumer went away or was cancelled: a waiting `next` returns nil, and an unfinished transfer is aborted.
    private func cancel() {
        let (waiter, abort) = state.withLock { state -> (UnsafeContinuation<TransferEvent?, any Error>?, Bool) in
            let abort = state.end == nil && !state.cancelled
            state.cancelled = true
            let waiter = state.waiter
            state.waiter = nil
            return (waiter, abort)
        }
        if abort { onCancel() }
        waiter?.resume(returning: nil)
    }

    private static func mustWait(_ taken: Take) -> Bool {
        if case .wait = taken { return true }
        return false
    }

    private static func result(of taken: Take) throws -> TransferEvent? {
        switch taken {
        case .event(let event): return event
        case .end(let error?): throw error
        case .end(nil), .wait: return nil
        }
    }
}

/// One transfer's events, for its one consumer: `.head` once, then body chunks; ends (or throws `CurlError`) when
/// the exchange ends. Dropping the sequence and its iterator before the end aborts the transfer.
package struct TransferEvents: AsyncSequence, Sendable {
    package typealias Element = TransferEvent
    let reader: TransferChannel.Reader

    package func makeAsyncIterator() -> Iterator {
        Iterator(reader: reader)
    }

    package struct Iterator: AsyncIteratorProtocol {
        let reader: TransferChannel.Reader

        package mutating func next() async throws -> TransferEvent? {
            try await reader.channel.next()
        }
    }
}
