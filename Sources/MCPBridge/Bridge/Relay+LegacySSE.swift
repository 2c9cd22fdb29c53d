import Logging
import BridgeWire
import BridgeHTTP
import BridgeRuntime

/// Relaying over the 2024-11-05 HTTP+SSE transport (see `LegacySSETransport`).
///
/// Each host message is POSTed to the session's endpoint (the server answers 202) and its answer comes back on the
/// shared stream, where `deliverFromLegacyStream` routes it and wakes the relay task waiting for it. That task ends
/// only once its answer was written or failed, as on Streamable HTTP, so `--request-timeout`, cancellation and the
/// shutdown drain behave the same whichever transport carries the request.
extension Relay {
    /// How long a message waits for the stream to come back (reconnect + re-handshake) before failing.
    private var legacyReadyWait: Duration { max(retryPolicy.budget, LegacySSETransport.endpointTimeout) }

    /// What the stream reader calls back into.
    func legacyDelegate() -> LegacySSETransport.Delegate {
        LegacySSETransport.Delegate(
            deliver: { message in await self.deliverFromLegacyStream(message) },
            renew: { connection throws(BridgeError) in try await self.renewLegacySession(connection) },
            lost: { connection in
                self.transports.answers.resolveAll(where: { $0.generation == connection.generation }, with: .dropped)
            },
            protocolVersion: { await self.session.protocolVersion }
        )
    }

    /// A server message from the stream (or, unusually, a POST's body): answers go through `route` so each host
    /// request is answered exactly once, then wake whoever waits for them.
    func deliverFromLegacyStream(_ message: ServerMessage) async {
        let answers = transports.answers
        switch message.envelope.kind {
        case .response:
            guard let id = message.envelope.id, let pending = answers.context(of: id) else {
                await route(message)
                return
            }
            if pending.forHost { await route(message, answering: pending.request) }
            answers.resolve(id, with: .answered(message))
        case .batch:
            await route(message)
            for range in message.envelope.batchElements {
                if let inner = try? Envelope.classify(message.bytes, range: range), inner.kind == .response,
                   let id = inner.id {
                    answers.resolve(id, with: .answered(message))
                }
            }
        case .request, .notification:
            await route(message)
        }
    }

    /// One host request over SSE, re-sent after a failure only when that cannot repeat side effects: never
    /// delivered (unreachable, or the server forgot the session: 404), or a safe method whose stream dropped.
    func exchangeOverSSE(_ request: HostRequest, on legacy: LegacySSETransport) async throws {
        let started = ContinuousClock.now
        let deadline = requestTimeout.map { started + $0 }
        let repeatable = isRepeatable(request)
        var attempt = 0
        while true {
            do {
                return try await postAndAwait(request, on: legacy, deadline: deadline, repeatable: repeatable)
            } catch let error as BridgeError {
                let delay = error.code == .sessionExpired && !error.mayHaveReachedServer
                    ? (attempt < retryPolicy.maxRetries ? Duration.zero : nil)
                    : retryPolicy.delay(after: error, attempt: attempt, elapsed: ContinuousClock.now - started,
                                        repeatable: repeatable)
                guard let delay else { throw error }
                logger.debug("re-sending over SSE", metadata: [
                    "mcp.id": "\(request.id)", "attempt": "\(attempt + 1)", "error.code": "\(error.code.rawValue)",
                ])
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// POSTs the request to the current session and waits for its answer on the stream.
    private func postAndAwait(_ request: HostRequest, on legacy: LegacySSETransport,
                              deadline: ContinuousClock.Instant?, repeatable: Bool) async throws {
        let connection = try await legacy.ready(within: legacyReadyWait)
        let snapshot = await session.snapshot(forInitialize: request.method == "initialize")
        let answers = transports.answers
        let pending = TransportSelection.PendingAnswer(request: request, generation: connection.generation)
        guard answers.register(request.id, context: pending) else {
            throw BridgeError(.duplicateID, "id \(request.id) is already waiting for an answer on the SSE stream")
        }
        let status: Int
        do {
            status = try await postToLegacy(request.bytes, what: request.method, to: connection, snapshot: snapshot)
        } catch {
            answers.remove(request.id)
            throw error
        }
        if status == 404 {
            answers.remove(request.id)
            legacy.dropStream(connection)
            throw Self.sessionGone()
        }
        // The stream may have been replaced while the POST ran: nothing would ever answer on the old one.
        if legacy.generation != connection.generation { answers.resolve(request.id, with: .dropped) }
        let timeout = deadline.map { $0 - ContinuousClock.now }
        switch await answers.wait(request.id, timeout: timeout, timedOut: .timedOut, cancelled: .cancelled) {
        case .answered:
            return
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
    func postToLegacy(_ bytes: [UInt8], what: String, to connection: LegacySSETransport.Connection,
                      snapshot: SessionState.Snapshot) async throws -> Int {
        let post = endpoint.post(bytes, session: snapshot, timeout: .seconds(30), url: connection.url)
        return try await endpoint.send(post, ExchangeContext(label: what)) { response in
            let status = response.status
            guard (200..<300).contains(status) || status == 404 else {
                throw BridgeError.httpStatus(status, body: await response.collect(upTo: 1 << 20))
            }
            if (200..<300).contains(status), let format = ReplyReader.format(of: response.head) {
                _ = try await reader.read(format, from: &response) { await deliverFromLegacyStream($0) }
            } else {
                _ = await response.collect(upTo: 0)
            }
            return status
        }
    }

    /// A host notification or answer over SSE; failures are logged, never written to stdout.
    func relayOneWayOverSSE(_ message: [UInt8], what: String, on legacy: LegacySSETransport) async -> Int? {
        do {
            let connection = try await legacy.ready(within: legacyReadyWait)
            let snapshot = await session.snapshot()
            let status = try await postToLegacy(message, what: what, to: connection, snapshot: snapshot)
            if status == 404 {
                legacy.dropStream(connection)
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

    /// A 2025-03-26-style batch over SSE: one POST, each request inside answered from the stream or with an error.
    func relayBatchOverSSE(_ message: [UInt8], ids: [RequestID], on legacy: LegacySSETransport) async {
        let answers = transports.answers
        var registered: [RequestID] = []
        do {
            let connection = try await legacy.ready(within: legacyReadyWait)
            for id in ids where answers.register(id, context: .init(request: nil, generation: connection.generation)) {
                registered.append(id)
            }
            let snapshot = await session.snapshot()
            let status = try await postToLegacy(message, what: "batch", to: connection, snapshot: snapshot)
            if status == 404 { legacy.dropStream(connection) }
            if status == 404 || legacy.generation != connection.generation {
                for id in registered { answers.resolve(id, with: .dropped) }
            }
        } catch {
            registered.forEach(answers.remove)
            let failure = error as? BridgeError ?? BridgeError(.streamEnded, "the batch could not be sent: \(error)")
            for id in ids { await answer(id, with: failure) }
            return
        }
        let deadline = requestTimeout.map { ContinuousClock.now + $0 }
        for id in registered {
            let timeout = deadline.map { $0 - ContinuousClock.now }
            switch await answers.wait(id, timeout: timeout, timedOut: .timedOut, cancelled: .cancelled) {
            case .answered, .cancelled: break
            case .dropped: await answer(id, with: BridgeError(.streamEnded, "the SSE stream dropped before the "
                + "answer to this batched request arrived; it may or may not have run"))
            case .timedOut: await answer(id, with: BridgeError(.timedOut, "no answer within --request-timeout"))
            }
        }
    }

    private static func sessionGone() -> BridgeError {
        var error = BridgeError(.sessionExpired, "the server no longer knows the SSE session (HTTP 404 on POST) and "
            + "a new one could not be established", httpStatus: 404)
        error.mayHaveReachedServer = false
        return error
    }

    private static func streamDropped(_ request: HostRequest, repeatable: Bool) -> BridgeError {
        BridgeError(.streamEnded, "the server's SSE stream dropped before the answer to \(request.method) arrived; "
            + (repeatable ? "re-sending it did not succeed either"
                : "it may have run, and mcp-bridge did not send it again because it may have side effects: the "
                    + "outcome is unknown, check before retrying"))
    }
}
