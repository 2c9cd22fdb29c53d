import BridgeHTTP
import BridgeWire
import Logging
import Synchronization

/// What the bridge reports about the requests it answers (`--debug` timing records, `--stats`, `--exit-status`):
/// told by `ReplySink` of every answer, by `Router` of every host notification.
///
/// Made only when one of the three is on (the sink holds nil otherwise: one nil check per answer). The counters
/// have one owner, this object, behind one lock taken once per answer and only with `--stats`; the exit status is
/// one atomic flag.
final class RequestMonitor: Sendable {
    let options: ReportingOptions
    private let logger: Logger
    private let tally = Mutex(StatsTally())
    private let failed = Atomic<Bool>(false)

    init?(options: ReportingOptions, logger: Logger) {
        guard options.isOn else { return nil }
        self.options = options
        self.logger = logger
    }

    /// The record a new request carries, or nil when neither timings nor stats are asked for.
    func observe(bytes: Int) -> RequestObservation? {
        options.observesRequests ? RequestObservation(bytesIn: bytes) : nil
    }

    /// `entry`'s request was answered with `outcome` in `bytesOut` bytes.
    func answered(_ entry: InFlightTable.Entry, _ outcome: RequestOutcome, bytesOut: Int) {
        if case .error = outcome { failed.store(true, ordering: .relaxed) }
        guard let observation = entry.observation else { return }
        let microseconds = observation.elapsedMicroseconds
        let attempts = observation.tally.attempts
        if options.timings { logTiming(entry, observation, outcome, microseconds, attempts, bytesOut) }
        guard options.stats else { return }
        tally.withLock {
            $0.record(method: entry.method, outcome: outcome, microseconds: microseconds, attempts: attempts,
                      bytesIn: observation.bytesIn, bytesOut: bytesOut)
        }
    }

    /// The timing record (README "Watching it"): one line per answered request.
    private func logTiming(_ entry: InFlightTable.Entry, _ observation: RequestObservation, _ outcome: RequestOutcome,
                           _ microseconds: Int, _ attempts: Int, _ bytesOut: Int) {
        logger.debug("request answered", metadata: {
            var metadata: Logger.Metadata = [
                "mcp.method": "\(entry.method)", "mcp.id": .stringConvertible(RawJSONValue(json: entry.hostID.json)),
                "outcome": "\(outcome.name)", "http.attempts": .stringConvertible(attempts),
                "bytes.in": .stringConvertible(observation.bytesIn), "bytes.out": .stringConvertible(bytesOut),
                "elapsed_ms": .stringConvertible(StatsTally.milliseconds(microseconds)),
            ]
            if case .error(let code) = outcome { metadata["error.code"] = .stringConvertible(code) }
            let status = observation.tally.status
            if status != 0 { metadata["http.status"] = .stringConvertible(status) }
            return metadata
        }())
    }

    /// A line refused before it became a request: an error answer all the same.
    func refused() {
        failed.store(true, ordering: .relaxed)
        if options.stats { tally.withLock { $0.recordRefusal() } }
    }

    /// Requests left without an answer (the host signalled after closing stdin): not every request succeeded.
    func abandoned(_ count: Int) {
        if count > 0 { failed.store(true, ordering: .relaxed) }
    }

    func hostNotification(bytes: Int) {
        if options.stats { tally.withLock { $0.recordHostNotification(bytes: bytes) } }
    }

    func messageToHost(bytes: Int) {
        if options.stats { tally.withLock { $0.recordMessageToHost(bytes: bytes) } }
    }

    /// Whether every request got a result (`--exit-status`).
    var allSucceeded: Bool { !failed.load(ordering: .relaxed) }

    /// `--stats`: the summary line, written whatever the verbosity (it was asked for).
    func logSummary() {
        guard options.stats else { return }
        var summaryLogger = logger
        summaryLogger.logLevel = min(summaryLogger.logLevel, .info)
        summaryLogger.info("stats", metadata: tally.withLock { $0.summary })
    }
}
