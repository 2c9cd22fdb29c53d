import Dispatch
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
import BridgeHTTP
#endif

/// The stdio ⇄ Streamable HTTP relay: reads the host's stdin until it ends, relays every message, then drains.
public final class Bridge: Sendable {
    let configuration: BridgeConfiguration
    let logger: Logger

    public init(configuration: BridgeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Why the bridge stops reading.
    enum Stop: Sendable {
        case endOfInput
        case signal(Int32)
        case outputClosed
    }

    /// Runs until stdin ends (or SIGINT/SIGTERM) and the drain completes; returns the process exit status.
    public func run(input: Int32 = STDIN_FILENO, output fd: Int32 = STDOUT_FILENO) async -> Int32 {
        signal(SIGPIPE, SIG_IGN)
        let (stops, stop) = AsyncStream.makeStream(of: Stop.self)
        let driver = CurlDriver()
        defer { driver.shutdown() }
        let output = StdoutWriter(fd: fd, isRoundThread: { driver.isCurrentThread }) { stop.yield(.outputClosed) }
        driver.beforeEachWait { output.flushRound() }
        let endpoint = RemoteEndpoint(configuration: configuration, driver: driver, logger: logger)
        let relay = Relay(endpoint: endpoint, session: SessionState(), inFlight: InFlightTable(), output: output,
                          logger: logger)
        let work = WorkTracker(executor: driver)
        let listener = ServerStreamListener(relay: relay)
        relay.translation.startServerStream.withLock { $0 = { listener.start() } }
        let router = Router(relay: relay, work: work, listener: listener,
                            permits: RequestPermits(limit: configuration.maxInFlight),
                            admission: RequestPermits(limit: configuration.maxInFlight * 4))
        _ = SignalWatcher { stop.yield(.signal($0)) }

        let lines = StdinReader.lines(fd: input, maxLineBytes: configuration.maxMessageBytes, on: driver)
        let pump = Task(executorPreference: driver) {
            for await item in lines { await router.handle(item) }
            stop.yield(.endOfInput)
        }
        var reasons = stops.makeAsyncIterator()
        let reason = await reasons.next() ?? .endOfInput
        pump.cancel()
        lines.stop()
        listener.stop()
        relay.translation.hostListen.stop()
        switch reason {
        case .outputClosed:
            logger.debug("stdout closed by the host; exiting")
            return 0
        case .endOfInput:
            relay.translation.parked.abandonAll()
            relay.translation.questions.abandonAll()
            logger.debug("stdin closed; draining", metadata: ["in_flight": "\(relay.inFlight.pendingIDs.count)"])
            await drain(relay, work: work, within: configuration.drainTimeout)
        case .signal(let number):
            logger.debug("received signal; draining", metadata: ["signal": "\(number)"])
            await drain(relay, work: work, within: .seconds(5))
        }
        relay.transports.stop()
        await endSession(relay)
        await output.flush()
        return 0
    }

    /// Waits for in-flight work up to `limit`; requests still unanswered then get a shutdown error.
    ///
    /// Unstructured tasks, not a task group: a group waits for all its children before returning, and
    /// `waitIdle` ignores cancellation, so a request that never ends would hold the drain (and the exit) forever.
    private func drain(_ relay: Relay, work: WorkTracker, within limit: Duration) async {
        let (outcomes, outcome) = AsyncStream.makeStream(of: Bool.self)
        Task { await work.waitIdle(); outcome.yield(true) }
        let timer = Task { try? await Task.sleep(for: limit); outcome.yield(false) }
        var first = outcomes.makeAsyncIterator()
        let finished = await first.next() ?? false
        timer.cancel()
        guard !finished else { return }
        for id in relay.inFlight.pendingIDs {
            await relay.answer(id, with: BridgeError(.shuttingDown, "mcp-bridge is shutting down and stopped "
                + "waiting for this request after \(limit.formatted)"))
            relay.inFlight.cancel(id)
        }
    }

    /// DELETEs the session so the server can free it at once (405: the server keeps sessions until they expire).
    private func endSession(_ relay: Relay) async {
        let snapshot = await relay.session.snapshot()
        guard snapshot.sessionID != nil else { return }
        let delete = relay.endpoint.delete(session: snapshot)
        let status = try? await relay.endpoint.send(delete, ExchangeContext(label: "DELETE session")) { $0.status }
        logger.debug("session deleted", metadata: ["http.status": "\(status.map(String.init) ?? "-")"])
    }
}
