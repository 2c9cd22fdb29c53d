import BridgeHTTP
import BridgePlatform
import BridgeRuntime
import Dispatch
import Logging
import Synchronization

/// The stdio ⇄ MCP server relay: reads the host's stdin until it ends, relays every message, then drains. Its `run`
/// is the composition root: every long-lived object of the process is made here, once.
///
/// Who owns what (each piece of mutable state is changed only by its owner; ARCHITECTURE.md has the why):
///
/// | state                                         | owner                                                   |
/// |-----------------------------------------------|---------------------------------------------------------|
/// | libcurl multi handle, transfers, poll set     | `CurlDriver`, confined to its thread                    |
/// | endpoint URL after redirects                  | `RedirectMiddleware` (through `EndpointLocation`)       |
/// | session id, protocol version, renewal         | `SessionState` (actor); written by `SessionChannel`,    |
/// |                                               | `LegacySSEChannel` and `Router` (the host's initialize) |
/// | transport choice (Streamable HTTP or SSE)     | `TransportSelector`                                     |
/// | answers owed on the 2024-11-05 stream         | `LegacySSEChannel`                                      |
/// | the server's era                              | `EraState`, asked through `EraRouter`                   |
/// | legacy host ↔ modern server state             | `LegacyHostTranslator` (profile, questions, listen)     |
/// | modern host ↔ legacy server state             | `ModernHostTranslator` (handshake, parked calls, listens)|
/// | tool knowledge (hidden, repeatable, headers)  | `ToolCatalog`                                           |
/// | one answer per request                        | `InFlightTable`, written to only through `ReplySink`    |
/// | stdout                                        | `StdoutWriter`, written to only through `ReplySink`     |
/// | answers held for their turn (`--ordered`)     | `AnswerOrder`, written to only through `ReplySink`      |
/// | request counts, latencies, the exit status    | `RequestMonitor`, told by `ReplySink` and `Router`      |
///
/// Where code runs: the stdin pump and every relay task prefer the driver's thread (`Task(executorPreference:)`),
/// so a host line reaches its POST and a reply reaches stdout without a thread hop. Long-lived background work
/// (the GET stream listener, the SSE stream reader, the era probe, a legacy host's listen) runs on the global
/// executor: it waits most of the time and must not hold up the driver.
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

    /// Runs until stdin ends (or SIGINT/SIGTERM) and the drain completes. True when every request got a result
    /// (what `--exit-status` reports; always true when no reporting is on).
    @discardableResult
    public func run(input: Int32 = STDIN_FILENO, output fd: Int32 = STDOUT_FILENO) async -> Bool {
        signal(SIGPIPE, SIG_IGN)
        let (stops, stop) = AsyncStream.makeStream(of: Stop.self)
        let driver = CurlDriver()
        defer { driver.shutdown() }
        let output = StdoutWriter(fd: fd, isRoundThread: { driver.isCurrentThread }) { stop.yield(.outputClosed) }
        driver.beforeEachWait { output.flushRound() }
        let parts = Parts(configuration: configuration, driver: driver, output: output, logger: logger)
        let work = WorkTracker(executor: driver)
        let listener = parts.listener
        let router = Router(eras: parts.eras, sink: parts.sink, channel: parts.selector, tools: parts.tools,
                            maxMessageBytes: configuration.maxMessageBytes, logger: logger, work: work,
                            startServerStream: { listener.start() },
                            permits: RequestPermits(limit: configuration.maxInFlight),
                            admission: RequestPermits(limit: configuration.maxInFlight * 4),
                            notifications: NotificationQueue(capacity: configuration.maxInFlight * 4, work: work) {
                                [channel = parts.selector] in _ = await channel.send($0, what: $1)
                            }, requestTimeout: configuration.requestTimeout)
        // A signal during the end-of-input drain means the host stopped waiting (an SDK host closes stdin, waits
        // 2 s, then sends SIGTERM): the drain ends at once, so the exit is clean and the session still DELETEd.
        let (signals, signalled) = AsyncStream.makeStream(of: Int32.self, bufferingPolicy: .bufferingNewest(1))
        _ = SignalWatcher {
            stop.yield(.signal($0))
            signalled.yield($0)
        }

        let lines = StdinReader.lines(fd: input, maxLineBytes: configuration.maxMessageBytes, on: driver)
        let pump = Task(executorPreference: driver) {
            for await item in lines { await router.handle(item) }
            stop.yield(.endOfInput)
        }
        var reasons = stops.makeAsyncIterator()
        let reason = await reasons.next() ?? .endOfInput
        pump.cancel()
        lines.stop()
        parts.listener.stop()
        switch reason {
        case .outputClosed:
            logger.debug("stdout closed by the host; exiting")
            parts.eras.legacyHost.hostListen.stop()
            parts.sink.monitor?.abandoned(parts.sink.inFlight.pendingIDs.count)
            parts.sink.monitor?.logSummary()
            return parts.sink.monitor?.allSucceeded ?? true
        case .endOfInput:
            parts.eras.hostClosedInput()
            logger.debug("stdin closed; draining", metadata: ["in_flight": "\(parts.sink.inFlight.pendingIDs.count)"])
            await drain(parts.sink, work: work, within: configuration.drainTimeout, unless: signals)
        case .signal(let number):
            parts.eras.legacyHost.hostListen.stop()
            logger.debug("received signal; draining", metadata: ["signal": "\(number)"])
            await drain(parts.sink, work: work, within: .seconds(5))
        }
        parts.selector.stop()
        await parts.session.end()
        await output.flush()
        parts.sink.monitor?.logSummary()
        return parts.sink.monitor?.allSucceeded ?? true
    }

    /// Waits for in-flight work up to `limit`; requests still unanswered then get a shutdown error.
    ///
    /// Unstructured tasks, not a task group: a group waits for all its children before returning, and
    /// `waitIdle` ignores cancellation, so a request that never ends would hold the drain (and the exit) forever.
    private func drain(_ sink: ReplySink, work: WorkTracker, within limit: Duration,
                       unless signals: AsyncStream<Int32>? = nil) async {
        enum Outcome: Sendable { case idle, timedOut, signalled(Int32) }
        let (outcomes, outcome) = AsyncStream.makeStream(of: Outcome.self)
        Task { await work.waitIdle(); outcome.yield(.idle) }
        let timer = Task { try? await Task.sleep(for: limit); outcome.yield(.timedOut) }
        let interrupt = Task {
            var received = signals?.makeAsyncIterator()
            if let number = await received?.next() { outcome.yield(.signalled(number)) }
        }
        var first = outcomes.makeAsyncIterator()
        let result = await first.next() ?? .timedOut
        timer.cancel()
        interrupt.cancel()
        switch result {
        case .idle:
            return
        case .timedOut:
            for id in sink.inFlight.pendingIDs {
                await sink.fail(id, with: BridgeError(.shuttingDown, "mcp-bridge is shutting down and stopped "
                    + "waiting for this request after \(limit.formatted)"))
                await sink.cancel(id)
            }
        case .signalled(let number):
            // The host closed stdin and then signalled: it has stopped reading (mcp 1.x's stdio client even fails
            // on a line written after that), so the requests still in flight are cancelled without an answer.
            let abandoned = sink.inFlight.pendingIDs
            for id in abandoned { await sink.cancel(id) }
            sink.monitor?.abandoned(abandoned.count)
            let count = abandoned.count
            logger.info("stopped by signal \(number) after stdin closed; \(count) request(s) in flight abandoned")
        }
    }
}
