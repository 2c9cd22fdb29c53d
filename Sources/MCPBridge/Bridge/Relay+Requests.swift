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

    /// Re-sends the request after transient failures as `RetryPolicy` allows; the last error is thrown.
    func exchangeWithRetries(_ request: HostRequest) async throws {
        let started = ContinuousClock.now
        var attempt = 0
        var headersRefreshed = false
        while true {
            do {
                return try await exchange(request, mayRenewSession: true, fresh: attempt > 0, url: nil)
            } catch is HeaderMismatch where !headersRefreshed {
                // 2026-07-28: the server's view of the tool's x-mcp-header differs from ours; relearn and retry once.
                headersRefreshed = true
                if let modern = request.modern { await refreshToolHeaders(for: request, modern: modern) }
            } catch let failure {
                let error = try bridgeError(from: failure)
                let repeatable = isRepeatable(request)  // asked only on failure: it scans the request for the tool
                guard let delay = retryPolicy.delay(after: error, attempt: attempt,
                                                    elapsed: ContinuousClock.now - started, repeatable: repeatable)
                else {
                    throw repeatable || !RetryPolicy.isTransient(error) ? error : outcomeUnknown(error, request)
                }
                let metadata: Logger.Metadata = [
                    "mcp.id": "\(request.id)", "attempt": "\(attempt + 1)", "delay_ms": "\(delay.milliseconds)",
                    "error.code": "\(error.code.rawValue)",
                ]
                if request.method == "subscriptions/listen" {
                    logger.warning("subscription stream dropped; listening again", metadata: metadata)
                } else {
                    logger.debug("retrying", metadata: metadata)
                }
                try await Task.sleep(for: delay)
                attempt += 1
            }
        }
    }

    /// Typed view of a failed attempt; cancellation passes through untouched.
    private func bridgeError(from failure: any Error) throws -> BridgeError {
        switch failure {
        case let error as BridgeError: return error
        case let error as CurlError: return .transport(error, requestTimeout: requestTimeout)
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

    /// One POST of a request and the reading of its reply; renews an expired session once and follows
    /// same-origin redirects (`url` is the redirect target, nil for the endpoint's own URL).
    private func exchange(_ request: HostRequest, mayRenewSession: Bool, fresh: Bool, url: String?,
                          hops: Int = 0) async throws {
        // A 2026-07-28 request has no session to wait for (and the era probe runs while the host's initialize waits).
        let snapshot = await session.snapshot(forInitialize: request.method == "initialize" || request.modern != nil)
        let transfer = endpoint.post(request.bytes, session: snapshot, extraHeaders: modernHeaders(for: request),
                                     timeout: requestTimeout, freshConnection: fresh, url: url)
        var events = transfer.events.makeAsyncIterator()
        let head = try await Self.head(of: &events, requestTimeout: requestTimeout)
        logger.debug("http response", metadata: [
            "mcp.method": "\(request.method)", "mcp.id": "\(request.id)", "http.status": "\(head.status)",
            "http.content_type": "\(head.mediaType ?? "-")",
        ])
        if head.status == 404, snapshot.sessionID != nil, request.method != "initialize", mayRenewSession {
            logger.debug("session expired (HTTP 404); re-initializing", metadata: ["mcp.id": "\(request.id)"])
            try await session.renew(expired: snapshot) { initialize, initialized throws(BridgeError) in
                try await self.handshake(initialize: initialize, initialized: initialized)
            }
            return try await exchange(request, mayRenewSession: false, fresh: fresh, url: url)
        }
        if Redirect.followed.contains(head.status), hops < Redirect.maxHops {
            _ = try await Self.collect(&events, limit: 0)
            let target = try redirectTarget(head, from: url ?? endpoint.location.current)
            return try await exchange(request, mayRenewSession: mayRenewSession, fresh: fresh, url: target,
                                      hops: hops + 1)
        }
        guard (200..<300).contains(head.status) else {
            let renewedSessionLost = head.status == 404 && snapshot.sessionID != nil && !mayRenewSession
            return try await failedStatus(head, events: &events, request: request, sessionLost: renewedSessionLost)
        }
        guard head.status != 202 && head.status != 204 else {
            throw BridgeError(.protocolViolation, "the server accepted the request (HTTP \(head.status)) but sent "
                + "no response; it may not implement Streamable HTTP correctly", httpStatus: head.status)
        }
        guard let format = ReplyReader.format(of: head) else {
            let body = try await Self.collect(&events, limit: 4096)
            throw BridgeError(.protocolViolation, "the server answered with Content-Type "
                + "\(head.value(for: "content-type") ?? "(none)"), not JSON or an event stream; check the URL "
                + "points at an MCP endpoint", httpStatus: head.status, body: body)
        }
        var answered = false
        let sessionless = snapshot.sessionID == nil && request.modern == nil && head.value(for: HeaderName.sessionID) == nil
        let summary = try await reader.read(format, from: &events, acknowledge: transfer.acknowledge) { message in
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

    /// The URL a redirect points to, if the bridge may follow it (same origin only; see `Redirect`).
    private func redirectTarget(_ head: HTTPResponseHead, from current: String) throws -> String {
        switch Redirect.resolve(head.value(for: "location") ?? "", against: current) {
        case .sameOrigin(let target):
            // MCP has one endpoint URL: when it redirects, the endpoint lives at the target, for notifications and
            // the GET stream too (Starlette answers `/mcp/` with a 307 to `/mcp` on every request otherwise).
            endpoint.location.move(to: target)
            logger.debug("following a redirect", metadata: ["http.status": "\(head.status)"])
            return target
        case .otherOrigin(let target):
            throw BridgeError(.httpStatus, "the server redirected (HTTP \(head.status)) to another origin, \(target); "
                + "mcp-bridge does not follow redirects across origins because your headers (credentials) would go "
                + "to a server you did not name: use that URL directly if you trust it", httpStatus: head.status)
        case .invalid:
            throw BridgeError(.httpStatus, "the server redirected (HTTP \(head.status)) without a usable Location",
                              httpStatus: head.status)
        }
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
        _ head: HTTPResponseHead, events: inout TransferEvents.Iterator,
        request: HostRequest, sessionLost: Bool = false
    ) async throws {
        let body = try await Self.collect(&events, limit: 1 << 20)
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
