import BridgeHTTP

/// One host request's record for its timing line and `--stats`: when it was read, how large it was, and what the
/// pipeline did for it (`ExchangeTally`). Made only when `--debug` or `--stats` is on; otherwise requests carry nil.
struct RequestObservation: Sendable {
    let started: ContinuousClock.Instant
    let bytesIn: Int
    let tally: ExchangeTally

    init(bytesIn: Int) {
        started = .now
        self.bytesIn = bytesIn
        tally = ExchangeTally()
    }

    /// Microseconds since the request was read.
    var elapsedMicroseconds: Int {
        let (seconds, attoseconds) = (ContinuousClock.now - started).components
        return Int(seconds) * 1_000_000 + Int(attoseconds / 1_000_000_000_000)
    }
}
