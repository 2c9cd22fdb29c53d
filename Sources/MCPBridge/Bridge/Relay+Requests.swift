import Logging
import BridgeWire
import BridgeHTTP
import BridgeRuntime

extension Relay {
    /// Relays one host request; on return the host has its one answer (or cancelled the request).
    func relayRequest(_ request: HostRequest) async {
        await relayAndAnswer(request)
        if request.method == "initialize" { await session.finishInitialize() }
    }

    private func relayAndAnswer(_ request: HostRequest) async {
        let started = ContinuousClock.now
        do {
            try await relayInServerEra(request)
            logger.debug("request answered", metadata: [
                "mcp.method": "\(request.method)", "mcp.id": "\(request.id)",
                "elapsed_ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
        } catch let error as BridgeError {
            await answer(request.id, with: error)
            // Only a 2025-era server is told in words; a 2026-07-28 one saw its stream close.
            if error.code == .timedOut, case .legacy = translation.eras.known {
                await cancelUpstream(request.id, reason: "request timed out in mcp-bridge")
            }
        } catch is CancellationError {
            logger.debug("request cancelled by the host", metadata: ["mcp.id": "\(request.id)"])
        } catch {
            await answer(request.id, with: BridgeError(.protocolViolation, "unexpected failure: \(error)"))
        }
    }

    /// Relays a request as the host wrote it: the host and the server speak the same era.
    func relayDirect(_ request: HostRequest) async throws {
        if request.method == "subscriptions/listen", request.modern != nil {
            try await relayListen(request)
        } else {
            try await exchangeOverSelectedTransport(request)
        }
    }

    /// Relays the request (the pipeline re-sends it after transient failures as `RetryPolicy` allows) and throws the
    /// last error, worded as "outcome unknown" when a request with possible side effects may have run.
    func exchangeWithRetries(_ request: HostRequest) async throws {
        var headersRefreshed = false
        while true {
            do {
                return try await exchange(request, mayRenewSession: true)
            } catch is HeaderMismatch where !headersRefreshed {
                // 2026-07-28: the server's view of the tool's x-mcp-header differs from ours; relearn and retry once.
                headersRefreshed = true
                if let modern = request.modern { await refreshToolHeaders(for: request, modern: modern) }
            } catch let failure {
                let error = try bridgeError(from: failure)
                guard RetryPolicy.isTransient(error), !isRepeatable(request) else { throw error }
                throw outcomeUnknown(error, request)
            }
        }
    }

    /// Typed view of a failed exchange; cancellation passes through untouched.
    private func bridgeError(from failure: any Error) throws -> BridgeError {
        switch failure {
        case let error as BridgeError: return error
        case is CancellationError: throw failure
        case let mismatch as HeaderMismatch: return mismatch.error
        default: return BridgeError(.protocolViolation, "unexpected failure: \(failure)")
        }
    }

    func isRepeatable(_ request: HostRequest) -> Bool {
        if RetryPolicy.safeMethods.contains(request.method) { return true }
        return request.toolName.map(toolSafety.isRepeatable) ?? false
    }

    /// A request with possible side effects broke after it may have reached the server: say so plainly.
    private func outcomeUnknown(_ error: BridgeError, _ request: HostRequest) -> BridgeError {
        BridgeError(.outcomeUnknown, "\(request.method) may have reached the server before the failure ("
            + error.message + "); it may have side effects, so mcp-bridge did not send it again: the outcome is "
            + "unknown, check before retrying", httpStatus: error.httpStatus)
    }

    /// What the pipeline needs to know of a host request: retried when `RetryPolicy` allows, and a dropped
    /// `subscriptions/listen` is worth a warning (the host hears nothing while it is down).
    func exchangeContext(for request: HostRequest) -> ExchangeContext {
        ExchangeContext(label: request.method, requestID: "\(request.id)", mayRetry: true,
                        isRepeatable: { [self] in isRepeatable(request) },
                        retryWarning: request.method == "subscriptions/listen"
                            ? "subscription stream dropped; listening again" : nil)
    }

    /// One POST of a request and the reading of its reply; renews an expired session once.
    private func exchange(_ request: HostRequest, mayRenewSession: Bool) async throws {
        // A 2026-07-28 request has no session to wait for (and the era probe runs while the host's initialize waits).
        let snapshot = await session.snapshot(forInitialize: request.method == "initialize" || request.modern != nil)
        let post = endpoint.post(request.bytes, session: snapshot, extraHeaders: modernHeaders(for: request),
                                 timeout: requestTimeout)
        let expired = try await endpoint.send(post, exchangeContext(for: request)) { response in
            if response.status == 404, snapshot.sessionID != nil, request.method != "initialize", mayRenewSession {
                return true
            }
            try await readReply(&response, to: request, snapshot: snapshot, mayRenewSession: mayRenewSession)
            return false
        }
        guard expired else { return }
        logger.debug("session expired (HTTP 404); re-initializing", metadata: ["mcp.id": "\(request.id)"])
        try await session.renew(expired: snapshot) { initialize, initialized throws(BridgeError) in
            try await self.handshake(initialize: initialize, initialized: initialized)
        }
        try await exchange(request, mayRenewSession: false)
    }

    /// Reads the reply to a request's POST until the request is answered (resuming a cut SSE stream if the server
    /// allows); throws when it cannot be.
    private func readReply(_ response: inout HTTPResponse, to request: HostRequest, snapshot: SessionState.Snapshot,
                           mayRenewSession: Bool) async throws {
        let head = response.head
        guard (200..<300).contains(head.status) else {
            let renewedSessionLost = head.status == 404 && snapshot.sessionID != nil && !mayRenewSession
            return try await failedStatus(&response, request: request, sessionLost: renewedSessionLost)
        }
        guard head.status != 202 && head.status != 204 else {
            throw BridgeError(.protocolViolation, "the server accepted the request (HTTP \(head.status)) but sent "
                + "no response; it may not implement Streamable HTTP correctly", httpStatus: head.status)
        }
        guard let format = ReplyReader.format(of: head) else {
            let body = await response.collect(upTo: 4096)
            throw BridgeError(.protocolViolation, "the server answered with Content-Type "
                + "\(head.value(for: "content-type") ?? "(none)"), not JSON or an event stream; check the URL "
                + "points at an MCP endpoint", httpStatus: head.status, body: body)
        }
        var answered = false
        let sessionless = snapshot.sessionID == nil && request.modern == nil && head.value(for: HeaderName.sessionID) == nil
        let summary = try await reader.read(format, from: &response) { message in
            if sessionless, message.envelope.kind == .request { try Self.unanswerable(message) }
            if await route(message, answering: request, head: head) { answered = true }
        }
        if answered || !inFlightContains(request.id) { return }
        if let lastEventID = summary.lastEventID, snapshot.sessionID != nil {
            if try await resume(request, after: lastEventID, retry: summary.retry) { return }
        }
        try Task.checkCancellation()
        throw Self.unanswered(summary, format: format, status: head.status)
    }

    /// A server request on the stream of a session-less exchange (a stateless 2025 server): the host's answer
    /// would be a POST no server instance waits for, so the call would hang forever. Fail it now instead
    /// (a ping needs no answer that matters, so it is just dropped).
    private static func unanswerable(_ message: ServerMessage) throws {
        guard let method = message.envelope.method, method != "ping" else { return }
        throw BridgeError(.hostInputFailed, "the server asked the host for \(method) in the middle of the call, but "
            + "it runs without sessions (stateless), so no answer could ever reach it and the call would never "
            + "finish; run the server with sessions, or speak MCP 2026-07-28 (input_required) to it")
    }

    /// Why a reply that ended normally still did not answer the request.
    private static func unanswered(_ summary: ReplySummary, format: ReplyReader.Format, status: Int) -> BridgeError {
        if let invalid = summary.invalidPayload {
            return BridgeError(.protocolViolation, "the server sent a reply that is not a valid JSON-RPC message",
                               httpStatus: status, body: invalid)
        }
        if format == .json {  // a complete JSON body (possibly empty) without our response: nothing was cut short
            return BridgeError(.protocolViolation, "the server's JSON reply held no response to this request; it "
                + "may not implement Streamable HTTP correctly", httpStatus: status)
        }
        return BridgeError(.streamEnded, "the server closed the response stream before sending the response; "
            + "the request may or may not have run, retry if it is safe", httpStatus: status)
    }

    /// A non-2xx answer: relay the server's own JSON-RPC error for this id if it sent one, else explain the status.
    /// `sessionLost`: a 404 for the session just re-established (e.g. stateful replicas behind round robin).
    private func failedStatus(
        _ response: inout HTTPResponse, request: HostRequest, sessionLost: Bool = false
    ) async throws {
        let head = response.head
        let body = await response.collect(upTo: 1 << 20)
        var error = BridgeError.httpStatus(head.status, body: body)
        if sessionLost {
            error = BridgeError(.sessionExpired, "the server did not know the session even right after mcp-bridge "
                + "re-initialized it (HTTP 404); stateful server replicas behind a load balancer need sticky "
                + "sessions (route by Mcp-Session-Id), or use a stateless server", httpStatus: 404, body: body)
        }
        if let envelope = try? Envelope.classify(body), envelope.kind == .response {
            if request.modern != nil, head.status == 400,
               Envelope.number(atPath: ["error", "code"], in: body) == HeaderMismatch.code {
                throw HeaderMismatch(error: error)
            }
            if envelope.id == request.id {
                await route(ServerMessage(bytes: body, envelope: envelope), answering: request, head: head)
                return
            }
            if let text = Envelope.string(atPath: ["error", "message"], in: body) {
                let reached = error.mayHaveReachedServer
                error = BridgeError(error.code, error.message + " (server said: \(text))", httpStatus: head.status,
                                    body: body)
                error.mayHaveReachedServer = reached
            }
        }
        error.retryAfter = head.value(for: "retry-after").flatMap { Int($0.trimmingSpaces()) }.map { .seconds($0) }
        throw error
    }

    func inFlightContains(_ id: RequestID) -> Bool {
        inFlight.method(of: id) != nil
    }

    /// Tells a legacy server to stop working on a request the bridge gave up on (best effort).
    func cancelUpstream(_ id: RequestID, reason: String) async {
        let notification = #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":"#
            + id.json + #","reason":"# + JSONString.quote(reason) + "}}"
        await relayNotification(Array(notification.utf8), method: "notifications/cancelled")
    }
}

/// A modern server rejected our `Mcp-Param-*` headers (-32020): the tool list is refreshed and the call retried.
struct HeaderMismatch: Error {
    static let code = -32020
    var error: BridgeError
}
