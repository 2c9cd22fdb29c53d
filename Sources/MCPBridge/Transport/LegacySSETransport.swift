import BridgeHTTP
import BridgeRuntime
import BridgeWire
import Logging
import Synchronization

/// The 2024-11-05 "HTTP with SSE" transport: one long GET whose `endpoint` event names the URL every client message
/// is POSTed to; every server message, responses included, arrives on that GET as an SSE `message` event.
///
/// Why a component of its own: nothing in a POST's reply carries its answer, so one reader must keep the stream open
/// for the whole process and hand each message to the relay (`Delegate.deliver`). When the stream drops it reconnects
/// with a doubling delay (capped, the server's `retry` honoured, never a busy loop). Each `endpoint` event starts a
/// new server session (FastMCP and the TypeScript SDK tie the session to the GET), and a reconnected one has never
/// seen `initialize` (mcp-remote #269), so `Delegate.renew` replays the host's handshake before requests may use it.
/// The endpoint must be same-origin with the configured URL: the POSTs carry the user's headers (credentials).
final class LegacySSETransport: Sendable {
    /// One server session: where to POST, numbered so that answers owed on a dropped stream can be told apart.
    struct Connection: Sendable, Equatable {
        var url: String
        var generation: Int
    }

    /// What the transport needs from the relay, which owns routing and the host's handshake.
    struct Delegate: Sendable {
        /// Every message read from the stream, in order.
        var deliver: @Sendable (ServerMessage) async -> Void
        /// A reconnected stream named a new session: make it usable (replay the host's handshake). Runs beside the
        /// stream reader, because the replayed `initialize` is answered on the stream.
        var renew: @Sendable (Connection) async throws(BridgeError) -> Void
        /// The stream of `connection` ended: answers still owed on it will never arrive.
        var lost: @Sendable (Connection) async -> Void
        /// The negotiated protocol version, for the GET's `MCP-Protocol-Version` (nil before initialize).
        var protocolVersion: @Sendable () async -> String?
    }

    /// How long a GET may take to produce its `endpoint` event.
    static let endpointTimeout: Duration = .seconds(10)
    /// The floor of every reconnection delay, whatever `retry` the server asks for (it can only lengthen it).
    static let initialBackoff: Duration = .milliseconds(500)
    /// Short: requests wait on this stream, so a server back after a restart must be found within seconds.
    static let maxBackoff: Duration = .seconds(5)
    /// A session that lived this long was healthy: the next reconnection starts again from `initialBackoff`.
    static let healthySession: Duration = .seconds(10)

    private enum Phase {
        case idle
        case connecting
        case ready(Connection)
        case refused(BridgeError)
    }

    private enum ReadyOutcome: Sendable {
        case ready(Connection)
        case failed(BridgeError)
        case cancelled
    }

    /// How one GET ended.
    private enum AttemptEnd: Sendable {
        /// No `endpoint` event: HTTP error, not an event stream, unreachable, or silent past `endpointTimeout`.
        case failed(BridgeError)
        /// The `endpoint` pointed to another origin: never retried.
        case refused(BridgeError)
        /// A stream that had named its endpoint ended after `lasted`.
        case ended(retry: Int?, lasted: Duration)
    }

    private struct State {
        var phase = Phase.idle
        var generation = 0
        var loop: Task<Void, Never>?
        var attempt: Task<AttemptEnd, Never>?
        var attemptHasEndpoint = false
        var nextToken = 0
    }

    private let endpoint: RemoteEndpoint
    private let logger: Logger
    private let state = Mutex(State())
    private let readiness = WaiterTable<Int, Void, ReadyOutcome>()

    init(endpoint: RemoteEndpoint, logger: Logger) {
        self.endpoint = endpoint
        self.logger = logger
    }

    /// The session now in use (or being set up): requests POSTed to an older one cannot be answered any more.
    var generation: Int { state.withLock { $0.generation } }

    /// Opens the stream and waits (bounded) for its first `endpoint` event. On failure nothing keeps running.
    func start(_ delegate: Delegate) async -> Result<Connection, BridgeError> {
        state.withLock { state in
            guard case .idle = state.phase else { return }
            state.phase = .connecting
            state.loop = Task { [self] in await run(delegate) }
        }
        switch await waitReady(within: Self.endpointTimeout + .seconds(5)) {
        case .ready(let connection):
            return .success(connection)
        case .failed(let error):
            stop()
            return .failure(error)
        case .cancelled:
            stop()
            return .failure(BridgeError(.shuttingDown, "cancelled while opening the SSE stream"))
        }
    }

    /// The session to POST to, waiting up to `limit` while the stream reconnects and re-handshakes.
    func ready(within limit: Duration) async throws -> Connection {
        switch await waitReady(within: limit) {
        case .ready(let connection): return connection
        case .failed(let error): throw error
        case .cancelled: throw CancellationError()
        }
    }

    /// Ends the stream of `connection` (the server forgot the session): the reader reconnects and renews.
    func dropStream(_ connection: Connection) {
        let attempt = state.withLock { state in state.generation == connection.generation ? state.attempt : nil }
        attempt?.cancel()
    }

    /// Stops reading and reconnecting; anyone waiting for the stream gets an error.
    func stop() {
        let loop = state.withLock { state in
            defer {
                state.loop = nil
                if case .refused = state.phase {} else { state.phase = .idle }
            }
            return state.loop
        }
        loop?.cancel()
        readiness.resolveAll(where: { _ in true },
                             with: .failed(BridgeError(.shuttingDown, "the SSE transport was stopped")))
    }

    private func waitReady(within limit: Duration) async -> ReadyOutcome {
        if case .ready(let connection) = state.withLock({ $0.phase }) { return .ready(connection) }  // the usual case
        let token = state.withLock { state in
            state.nextToken += 1
            return state.nextToken
        }
        _ = readiness.register(token, context: ())
        // Checked after registering, so a session that becomes ready in between still wakes this waiter.
        switch state.withLock({ $0.phase }) {
        case .ready(let connection): readiness.resolve(token, with: .ready(connection))
        case .refused(let error): readiness.resolve(token, with: .failed(error))
        case .idle: readiness.resolve(token, with: .failed(BridgeError.connectFailed("the SSE stream is not open")))
        case .connecting: break
        }
        let late = BridgeError(.connectFailed, "the server's 2024-11-05 SSE stream is down and did not come back "
            + "within \(limit.formatted); check that the server is running", mayHaveReachedServer: false)
        return await readiness.wait(token, timeout: limit, timedOut: .failed(late), cancelled: .cancelled)
    }

    // MARK: The reader loop

    private func run(_ delegate: Delegate) async {
        var backoff = Backoff(initial: Self.initialBackoff, maximum: Self.maxBackoff)
        var connected = false
        while !Task.isCancelled {
            let delay: Duration
            let end = await attempt(delegate)
            if Task.isCancelled { return }
            switch end {
            case .refused(let error):
                finish(.refused(error), error)
                return
            case .failed(let error):
                guard connected else {  // the first GET decides: the caller picks another transport or reports it
                    finish(.idle, error)
                    return
                }
                logger.warning("could not reopen the SSE stream", metadata: ["error": "\(error.description)"])
                delay = backoff.next()
            case .ended(let retry, let lasted):
                connected = true
                if lasted >= Self.healthySession { backoff.reset() }
                // The server's `retry` lengthens the wait, never shortens it (`retry: 0` must not spin).
                delay = backoff.next(honouring: retry.map { .milliseconds($0) })
                logger.debug("the SSE stream ended; reconnecting", metadata: ["delay_ms": "\(delay.milliseconds)"])
            }
            try? await Task.sleep(for: delay)
        }
    }

    private func finish(_ phase: Phase, _ error: BridgeError) {
        state.withLock { state in
            state.phase = phase
            state.loop = nil
        }
        readiness.resolveAll(where: { _ in true }, with: .failed(error))
    }

    /// One GET, read until it ends; gives up when no `endpoint` event arrives within `endpointTimeout`.
    private func attempt(_ delegate: Delegate) async -> AttemptEnd {
        let version = await delegate.protocolVersion()
        let snapshot = SessionState.Snapshot(sessionID: nil, protocolVersion: version, generation: -1)
        let task = Task { [self] in await read(endpoint.listen(session: snapshot, lastEventID: nil), delegate) }
        state.withLock { state in
            state.attempt = task
            state.attemptHasEndpoint = false
        }
        let watchdog = Task { [self] in
            try? await Task.sleep(for: Self.endpointTimeout)
            if !Task.isCancelled, !state.withLock({ $0.attemptHasEndpoint }) { task.cancel() }
        }
        defer { watchdog.cancel() }
        return await withTaskCancellationHandler { await task.value } onCancel: { task.cancel() }
    }

    private func read(_ get: HTTPRequest, _ delegate: Delegate) async -> AttemptEnd {
        do {
            return try await endpoint.send(get, ExchangeContext(label: "GET SSE stream")) { response in
                await read(&response, delegate)
            }
        } catch let error as BridgeError {
            return .failed(error)
        } catch {
            return .failed(BridgeError.connectFailed("\(error)"))
        }
    }

    private func read(_ response: inout HTTPResponse, _ delegate: Delegate) async -> AttemptEnd {
        let head = response.head
        guard head.status == 200, head.mediaType == "text/event-stream" else {
            let body = await response.collect(upTo: 4096)
            guard head.status == 200 else { return .failed(.httpStatus(head.status, body: body)) }
            return .failed(BridgeError(.protocolViolation, "the server answered the GET with Content-Type "
                + "\(head.value(for: "content-type") ?? "(none)"), not an event stream: not a 2024-11-05 HTTP+SSE "
                + "endpoint", httpStatus: head.status, body: body))
        }
        var parser = SSEParser(maxEventBytes: endpoint.configuration.maxMessageBytes)
        var connection: Connection?
        let opened = ContinuousClock.now
        do {
            var pending: [ServerSentEvent] = []
            while let chunk = try await response.nextChunk() {
                try parser.feed(chunk) { pending.append($0) }
                response.acknowledge(chunk.count)
                for event in pending {
                    if let end = await handle(event, connection: &connection, delegate) { return end }
                }
                pending.removeAll(keepingCapacity: true)
            }
        } catch {
            logger.debug("the SSE stream broke", metadata: ["error": "\(error)"])
        }
        guard let connection else {
            if Task.isCancelled {
                return .failed(BridgeError(.protocolViolation, "the server's GET stream sent no `endpoint` event "
                    + "within \(Self.endpointTimeout.formatted): not a 2024-11-05 HTTP+SSE endpoint", httpStatus: 200))
            }
            return .failed(BridgeError(.streamEnded, "the server closed the GET stream before its `endpoint` event",
                                       httpStatus: 200))
        }
        await lose(connection, delegate)
        return .ended(retry: parser.retry, lasted: ContinuousClock.now - opened)
    }

    /// Acts on one event; returns how the attempt ends when the event ends it.
    private func handle(_ event: ServerSentEvent, connection: inout Connection?, _ delegate: Delegate) async
        -> AttemptEnd?
    {
        switch event.type {
        case "endpoint":
            let location = String(decoding: event.data, as: UTF8.self).trimmingSpaces()
            switch Redirect.resolve(location, against: endpoint.location.current) {
            case .sameOrigin(let url):
                if let previous = connection { await lose(previous, delegate) }
                connection = open(url, delegate)
            case .otherOrigin(let target):
                return .refused(BridgeError(.protocolViolation, "the server's SSE `endpoint` event points to another "
                    + "origin, \(target); mcp-bridge does not POST there because your headers (credentials) would go "
                    + "to a server you did not name"))
            case .otherScheme(let scheme):
                return .refused(BridgeError(.protocolViolation, "the server's SSE `endpoint` event names a \(scheme): "
                    + "URL; mcp-bridge POSTs only to http(s) URLs of the server's own origin"))
            case .invalid:
                return .failed(BridgeError(.protocolViolation, "the server's SSE `endpoint` event holds no usable URL"))
            }
        case "message" where !event.data.isEmpty:
            guard let envelope = try? Envelope.classify(event.data) else {
                logger.warning("the SSE stream carried a message that is not JSON-RPC; dropped",
                               metadata: ["body": "\(BridgeError.excerpt(event.data, limit: 200))"])
                return nil
            }
            await delegate.deliver(ServerMessage(bytes: event.data, envelope: envelope))
        default:
            break
        }
        return nil
    }

    /// A new `endpoint`: the first one is usable at once (the host's own `initialize` comes next); later ones
    /// become usable once `Delegate.renew` has re-run the handshake.
    private func open(_ url: String, _ delegate: Delegate) -> Connection {
        let connection = state.withLock { state in
            state.generation += 1
            state.attemptHasEndpoint = true
            let connection = Connection(url: url, generation: state.generation)
            state.phase = state.generation == 1 ? .ready(connection) : .connecting
            return connection
        }
        logger.debug("SSE endpoint received", metadata: ["sse.generation": "\(connection.generation)"])
        guard connection.generation > 1 else {
            readiness.resolveAll(where: { _ in true }, with: .ready(connection))
            return connection
        }
        Task { [self] in
            do throws(BridgeError) {
                try await delegate.renew(connection)
            } catch {
                logger.warning("re-initializing the new SSE session failed; reconnecting",
                               metadata: ["error": "\(error.description)"])
                dropStream(connection)
                return
            }
            let current = state.withLock { state in
                guard state.generation == connection.generation else { return false }
                state.phase = .ready(connection)
                return true
            }
            if current { readiness.resolveAll(where: { _ in true }, with: .ready(connection)) }
        }
        return connection
    }

    private func lose(_ connection: Connection, _ delegate: Delegate) async {
        state.withLock { state in
            if case .ready(let current) = state.phase, current == connection { state.phase = .connecting }
        }
        await delegate.lost(connection)
    }
}
