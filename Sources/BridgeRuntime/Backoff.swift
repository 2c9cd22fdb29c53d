/// Exponential backoff: the one place where the bridge computes how long to wait before trying something again.
///
/// Every loop that reconnects, re-listens, resumes or re-sends states its own policy as a `Backoff` value (start,
/// ceiling, jitter) and asks it for each delay, so no loop can busy-spin and the arithmetic is written once.
package struct Backoff: Sendable {
    package let initial: Duration
    package let maximum: Duration
    /// Full jitter between half and all of each delay: retries from many bridges spread across replicas.
    package let jitter: Bool
    private var current: Duration

    package init(initial: Duration, maximum: Duration, jitter: Bool = false) {
        self.initial = initial
        self.maximum = maximum
        self.jitter = jitter
        current = initial
    }

    /// The delay before attempt `attempt + 1` (0 is the first retry), without advancing anything: for callers that
    /// count attempts themselves.
    package func delay(forAttempt attempt: Int) -> Duration {
        jittered(min(initial * (1 << min(attempt, 16)), maximum))
    }

    /// The next delay of a running loop; each call doubles the following one, up to `maximum`.
    package mutating func next() -> Duration {
        let delay = current
        current = min(current * 2, maximum)
        return jittered(delay)
    }

    /// The next delay, lengthened (never shortened) to what the server asked for with SSE `retry` (at most a
    /// minute): a server's `retry: 0` cannot turn a reconnect loop into a busy loop, whatever it says.
    package mutating func next(honouring serverRetry: Duration?) -> Duration {
        max(next(), min(serverRetry ?? .zero, Self.longestServerRetry))
    }

    /// The longest wait a server's `retry` can impose.
    package static let longestServerRetry: Duration = .seconds(60)

    /// Back to `initial`, after an attempt that went well (a stream that stayed up, a message that got through).
    package mutating func reset() {
        current = initial
    }

    private func jittered(_ delay: Duration) -> Duration {
        jitter ? delay / 2 + delay / 2 * Double.random(in: 0...1) : delay
    }
}
