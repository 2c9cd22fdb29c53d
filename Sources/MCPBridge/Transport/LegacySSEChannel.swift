import BridgeHTTP
import BridgeRuntime
import BridgeWire
import Logging

/// Relaying over the 2024-11-05 HTTP+SSE transport (the stream itself is `LegacySSETransport`'s).
///
/// Each message is POSTed to the session's endpoint (the server answers 202) and its answer comes back on the
/// shared stream, where `deliver` wakes the call waiting for it. A call ends only once its answer arrived or
/// failed, as on Streamable HTTP, so `--request-timeout`, cancellation and the shutdown drain behave the same
/// whichever transport carries the request.
final class LegacySSEChannel: ServerChannel {
    /// An answer owed on the stream; `generation` is the SSE session the message was POSTed to.
    struct PendingAnswer: Sendable {
        enum Owner: Sendable {
            /// A call waits for it and decides what it becomes.
            case call
            /// A request inside a host batch: the host's answer, written as any response outside a call.
            case batch
            /// The bridge's own replayed `initialize`: never the host's.
            case bridge
        }

        var owner: Owner
        var generation: Int
    }

    enum AnswerOutcome: Sendable {
        case answered(ServerMessage)
        /// The stream the answer was owed on ended first.
        case dropped
        case timedOut
        case cancelled
    }

    let transport: LegacySSETransport
    private let endpoint: RemoteEndpoint
    private let reader: ReplyReader
    private let session: SessionState
    private let retry: RetryPolicy
    private let isRepeatable: @Sendable (HostRequest) -> Bool
    private let requestTimeout: Duration?
    private let inbound: Inbound
    private let logger: Logger
    /// Answers owed over the stream, resolved by the stream's reader (`deliver`).
    private let answers = WaiterTable<RequestID, PendingAnswer, AnswerOutcome>()

    init(endpoint: RemoteEndpoint, session: SessionState, retry: RetryPolicy,
         isRepeatable: @escaping @Sendable (HostRequest) -> Bool, requestTimeout: Duration?, inbound: Inbound,
         logger: Logger) {
        self.endpoint = endpoint
        self.reader = ReplyReader(maxMessageBytes: endpoint.configuration.maxMessageBytes, logger: logger)
        self.session = session
        self.retry = retry
        self.isRepeatable = isRepeatable
        self.requestTimeout = requestTimeout
        self.inbound = inbound
        self.logger = logger
        transport = LegacySSETransport(endpoint: endpoint, logger: logger)
    }

    /// Opens the stream (see `LegacySSETransport.start`).
    func start() async -> Result<LegacySSEChannel, BridgeError> {
        await transport.start(delegate()).map { _ in self }
    }

    /// How long a message waits for the stream to come back (reconnect + re-handshake) before failing.
    private var readyWait: Duration { max(retry.budget, LegacySSETransport.endpointTimeout) }

    private func delegate() -> LegacySSETransport.Delegate {
        LegacySSETransport.Delegate(
            deliver: { [self] message in await deliver(message) },
            renew: { [self] connection throws(BridgeError) in try await renewSession(connection) },
            lost: { [answers] connection in
                answers.resolveAll(where: { $0.generation == connection.generation }, with: .dropped)
            },
            protocolVersion: { [session] in await session.protocolVersion }
        )
    }

    /// A server message from the stream (or, unusually, a POST's body): answers wake whoever waits for them.
    private func deliver(_ message: ServerMessage) async {
        switch message.envelope.kind {
        case .response:
            guard let id = message.envelope.id, let pending = answers.context(of: id) else {
                return await inbound.deliver(message)
            }
            if case .batch = pending.owner { await inbound.deliver(message) }
            answers.resolve(id, with: .answered(message))
        case .batch:
            let (messages, dropped) = ServerMessage.elements(of: message)
            if dropped > 0 { ReplyReader.warnDropped(dropped, of: message, logger: logger) }
            for element in messages { await deliver(element) }
        case .request, .notification:
            await inbound.deliver(message)
        }
    }

    /// One request, re-sent after a failure only when that cannot repeat side effects: never delivered
    /// (unreachable, or the server forgot the session: 404), or a safe method whose stream dropped.
    func call(_ request: HostRequest, onMessage: ReplyHandler) async throws {
        let started = ContinuousClock.now
        let deadline = requestTimeout.map { started + $0 }
        let repeatable = isRepeatable(request)
        var attempt = 0
        while true {
            do {
                let reply = try await postAndAwait(request, deadline: deadline, repeatable: repeatable)
                if request.method == "initialize", let accepted = SessionChannel.Accepted(reply) {
                    await session.adopt(sessionID: nil, protocolVersion: accepted.protocolVersion)
                }
                _ = try await onMessage(reply)
                return
            } catch let error as BridgeError {
                let delay = error.code == .sessionExpired && !error.mayHaveReachedServer
                    ? (attempt < retry.maxRetries ? Duration.zero : nil)
                    : retry.delay(after: error, attempt: attempt, elapsed: ContinuousClock.now - started,
                                  repeatable: repeatable)
                guard let delay else { throw error }
                logger.debug("re-sending over SSE", metadata: [
                    "mcp.id": "\(request.id)", "retry.attempt": "\(attempt + 1)", "error.code": "\(error.code.rawValue)",
                ])
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// POSTs the request to the current session and waits for its answer on the stream.
    private func postAndAwait(_ request: HostRequest, deadline: ContinuousClock.Instant?,
                              repeatable: Bool) async throws -> ServerMessage {
        let connection = try await transport.ready(within: readyWait)
        let snapshot = await session.snapshot(forInitialize: request.method == "initialize")
        guard answers.register(request.id, context: PendingAnswer(owner: .call, generation: connection.generation))
        else {
            throw BridgeError(.duplicateID, "id \(request.id) is already waiting for an answer on the SSE stream")
        }
        let status: Int
        do {
            status = try await post(request.bytes, what: request.method, to: connection, snapshot: snapshot,
                                    tally: request.observation?.tally)
        } catch {
            answers.remove(request.id)
            throw error
        }
        if status == 404 {
            answers.remove(request.id)
            transport.dropStream(connection)
            throw Self.sessionGone()
        }
        // The stream may have been replaced while the POST ran: nothing would ever answer on the old one.
        if transport.generation != connection.generation { answers.resolve(request.id, with: .dropped) }
        let timeout = deadline.map { $0 - ContinuousClock.now }
        switch await answers.wait(request.id, timeout: timeout, timedOut: .timedOut, cancelled: .cancelled) {
        case .answered(let reply):
            return reply
        case .dropped:
            throw Self.streamDropped(request, repeatable: repeatable)
        case .timedOut:
            let limit = requestTimeout.map { " (\($0.formatted))" } ?? ""
            throw BridgeError(.timedOut, "no answer within --request-timeout\(limit); the request was cancelled "
                + "upstream. Raise --request-timeout if the tool is slow")
        case .cancelled:
            throw CancellationError()
        }
    }

    /// POSTs one message to a session's endpoint; returns the status for 2xx and 404 (the server forgot the
    /// session), throws for anything else. A JSON or SSE body (unusual here) is delivered like stream messages.
    private func post(_ bytes: [UInt8], what: String, to connection: LegacySSETransport.Connection,
                      snapshot: SessionState.Snapshot, tally: ExchangeTally? = nil) async throws -> Int {
        let post = endpoint.post(bytes, session: snapshot, timeout: .seconds(30), url: connection.url)
        return try await endpoint.send(post, ExchangeContext(label: what, tally: tally)) { response in
            let status = response.status
            guard (200..<300).contains(status) || status == 404 else {
                throw BridgeError.httpStatus(status, body: await response.collect(upTo: 1 << 20))
            }
            if (200..<300).contains(status), let format = ReplyReader.format(of: response.head) {
                _ = try await reader.read(format, from: &response) { await deliver($0) }
            } else {
                _ = await response.collect(upTo: 0)
            }
            return status
        }
    }

    func send(_ message: [UInt8], what: String) async -> Int? {
        do {
            let connection = try await transport.ready(within: readyWait)
            let snapshot = await session.snapshot()
            let status = try await post(message, what: what, to: connection, snapshot: snapshot)
            if status == 404 {
                transport.dropStream(connection)
                logger.warning("the server forgot the SSE session; a message was lost and the session is being renewed",
                               metadata: ["mcp.message": "\(what)"])
            }
            return status
        } catch {
            logger.warning("could not deliver a message to the server", metadata: [
                "mcp.message": "\(what)", "error": "\(error)",
            ])
            return nil
        }
    }

    /// One POST for the whole batch; each request inside is answered from the stream or with an error.
    func batch(_ message: [UInt8], ids: [RequestID]) async -> [(RequestID, BridgeError)] {
        var registered: [RequestID] = []
        do {
            let connection = try await transport.ready(within: readyWait)
            let pending = PendingAnswer(owner: .batch, generation: connection.generation)
            for id in ids where answers.register(id, context: pending) { registered.append(id) }
            let snapshot = await session.snapshot()
            let status = try await post(message, what: "batch", to: connection, snapshot: snapshot)
            if status == 404 { transport.dropStream(connection) }
            if status == 404 || transport.generation != connection.generation {
                for id in registered { answers.resolve(id, with: .dropped) }
            }
        } catch {
            registered.forEach(answers.remove)
            let failure = error as? BridgeError ?? BridgeError(.streamEnded, "the batch could not be sent: \(error)")
            return ids.map { ($0, failure) }
        }
        let deadline = requestTimeout.map { ContinuousClock.now + $0 }
        var failed: [(RequestID, BridgeError)] = []
        for id in registered {
            let timeout = deadline.map { $0 - ContinuousClock.now }
            switch await answers.wait(id, timeout: timeout, timedOut: .timedOut, cancelled: .cancelled) {
            case .answered, .cancelled: break
            case .dropped: failed.append((id, BridgeError(.streamEnded, "the SSE stream dropped before the "
                + "answer to this batched request arrived; it may or may not have run")))
            case .timedOut: failed.append((id, BridgeError(.timedOut, "no answer within --request-timeout")))
            }
        }
        return failed
    }

    /// A reconnected stream named a new session that has never seen `initialize` (mcp-remote #269): replay the
    /// host's `initialize` (under a private id, so its answer never reaches stdout) and `notifications/initialized`.
    /// Skipped while the host has not completed its own handshake: then its own `initialize` is still to come.
    func renewSession(_ connection: LegacySSETransport.Connection) async throws(BridgeError) {
        guard let version = await session.protocolVersion, let cached = await session.cachedHandshake() else { return }
        let id = RequestID.string("mcp-bridge-reinitialize-\(connection.generation)")
        guard let initialize = MessageSplice.replacingID(in: cached.initialize, with: id) else {
            throw BridgeError(.sessionExpired, "the host's initialize could not be replayed")
        }
        let snapshot = SessionState.Snapshot(sessionID: nil, protocolVersion: version, generation: -1)
        _ = answers.register(id, context: PendingAnswer(owner: .bridge, generation: connection.generation))
        let status: Int
        do {
            status = try await post(initialize, what: "initialize (replayed)", to: connection, snapshot: snapshot)
        } catch {
            answers.remove(id)
            throw BridgeError(.sessionExpired, "replaying initialize on the new SSE session failed: \(error)")
        }
        guard (200..<300).contains(status) else {
            answers.remove(id)
            throw BridgeError(.sessionExpired, "the new SSE session refused the replayed initialize",
                              httpStatus: status)
        }
        let outcome = await answers.wait(id, timeout: .seconds(30), timedOut: .timedOut, cancelled: .cancelled)
        guard case .answered(let reply) = outcome, reply.envelope.kind == .response, !reply.envelope.isError else {
            throw BridgeError(.sessionExpired, "the new SSE session did not accept the replayed initialize")
        }
        let negotiated = reply.envelope.result.flatMap {
            Envelope.string(atPath: ["protocolVersion"], in: reply.bytes, root: $0)
        }
        await session.adopt(sessionID: nil, protocolVersion: negotiated)
        if let initialized = cached.initialized {
            _ = try? await post(initialized, what: "notifications/initialized (replayed)", to: connection,
                                snapshot: SessionState.Snapshot(sessionID: nil, protocolVersion: negotiated,
                                                                generation: -1))
        }
        logger.debug("SSE session re-established", metadata: ["sse.generation": "\(connection.generation)"])
    }

    private static func sessionGone() -> BridgeError {
        BridgeError(.sessionExpired, "the server no longer knows the SSE session (HTTP 404 on POST) and a new one "
            + "could not be established", httpStatus: 404, mayHaveReachedServer: false)
    }

    private static func streamDropped(_ request: HostRequest, repeatable: Bool) -> BridgeError {
        BridgeError(.streamEnded, "the server's SSE stream dropped before the answer to \(request.method) arrived; "
            + (repeatable ? "re-sending it did not succeed either"
                : "it may have run, and mcp-bridge did not send it again because it may have side effects: the "
                    + "outcome is unknown, check before retrying"))
    }
}
