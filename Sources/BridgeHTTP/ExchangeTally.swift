import Synchronization

/// What the pipeline did for one caller's exchange, for the caller's timing record: how many times it was sent
/// and the status of the last response. Written by the layers (attempts by the retry layer, status by the logging
/// layer, only when debug logging is on), read once when the exchange is reported.
///
/// Atomics, not a lock: a write per attempt must cost next to nothing, and the reader may be on another thread
/// (a deadline answering while the exchange still runs). Only exchanges whose caller asked for it carry one.
package final class ExchangeTally: Sendable {
    private let sent = Atomic<Int>(0)
    private let lastStatus = Atomic<Int>(0)

    package init() {}

    package var attempts: Int { sent.load(ordering: .relaxed) }
    /// 0 while no response arrived.
    package var status: Int { lastStatus.load(ordering: .relaxed) }

    package func attempted() {
        sent.add(1, ordering: .relaxed)
    }

    package func responded(_ status: Int) {
        lastStatus.store(status, ordering: .relaxed)
    }
}
