import Logging

extension Relay {
    /// Relays one host request; on return the host has its one answer (or cancelled the request).
    func relayRequest(_ message: [UInt8], id: RequestID, method: String) async {
        await relayAndAnswer(message, id: id, method: method)
        if method == "initialize" { await session.finishInitialize() }
    }

    private func relayAndAnswer(_ message: [UInt8], id: RequestID, method: String) async {
        let started = ContinuousClock.now
        do {
            try await exchange(message, id: id, method: method, mayRenewSession: true)
            logger.debug("request answered", metadata: [
                "mcp.method": "\(method)", "mcp.id": "\(id)", "elapsed_ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
        } catch let error as BridgeError {
            await fail(id, with: error)
        } catch let error as CurlError {
            await fail(id, with: .transport(error, requestTimeout: requestTimeout))
        } catch is CancellationError {
            logger.debug("request cancelled by the host", metadata: ["mcp.id": "\(id)"])
        } catch {
            await answer(id, with: BridgeError(.protocolViolation, "unexpected failure: \(error)"))
        }
    }

    /// Answers the host with `error`; a request the bridge timed out is also cancelled upstream, whether the
    /// timeout struck before the response head or in the middle of its event stream.
    private func fail(_ id: RequestID, with error: BridgeError) async {
        await answer(id, with: error)
        if error.code == .timedOut { await cancelUpstream(id, reason: "request timed out in mcp-bridge") }
    }

    /// One POST of a request and the reading of its reply; renews an expired session once.
    private func exchange(_ message: [UInt8], id: RequestID, method: String, mayRenewSession: Bool) async throws {
        let snapshot = await session.snapshot(forInitialize: method == "initialize")
        let transfer = endpoint.post(message, session: snapshot, timeout: requestTimeout)
        var events = transfer.events.makeAsyncIterator()
        let head = try await Self.head(of: &events, requestTimeout: requestTimeout)
        logger.debug("http response", metadata: [
            "mcp.method": "\(method)", "mcp.id": "\(id)", "http.status": "\(head.status)",
            "http.content_type": "\(head.mediaType ?? "-")",
        ])
        if head.status == 404, snapshot.sessionID != nil, method != "initialize", mayRenewSession {
            logger.debug("session expired (HTTP 404); re-initializing", metadata: ["mcp.id": "\(id)"])
            try await session.renew(expired: snapshot) { initialize, initialized throws(BridgeError) in
                try await self.handshake(initialize: initialize, initialized: initialized)
            }
            return try await exchange(message, id: id, method: method, mayRenewSession: false)
        }
        guard (200..<300).contains(head.status) else {
            return try await failedStatus(head, events: &events, id: id, method: method)
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
        let summary = try await reader.read(format, from: &events, acknowledge: transfer.acknowledge) { message in
            if await route(message, expected: id, method: method, head: head) { answered = true }
        }
        if answered || !inFlightContains(id) { return }
        if let lastEventID = summary.lastEventID, snapshot.sessionID != nil {
            if try await resume(after: lastEventID, retry: summary.retry, id: id, method: method) { return }
        }
        try Task.checkCancellation()
        if let invalid = summary.invalidPayload {
            throw BridgeError(.protocolViolation, "the server sent a reply that is not a valid JSON-RPC message",
                              httpStatus: head.status, body: invalid)
        }
        throw BridgeError(.streamEnded, "the server closed the response stream before sending the response; "
            + "the request may or may not have run, retry if it is safe", httpStatus: head.status)
    }

    /// A non-2xx answer: relay the server's own JSON-RPC error for this id if it sent one, else explain the status.
    private func failedStatus(
        _ head: HTTPResponseHead, events: inout AsyncThrowingStream<TransferEvent, any Error>.AsyncIterator,
        id: RequestID, method: String
    ) async throws {
        let body = try await Self.collect(&events, limit: 1 << 20)
        if let envelope = try? Envelope.classify(body), envelope.kind == .response {
            if envelope.id == id {
                await route(ServerMessage(bytes: body, envelope: envelope), expected: id, method: method, head: head)
                return
            }
            if let text = Envelope.string(atPath: ["error", "message"], in: body) {
                var error = BridgeError.httpStatus(head.status, body: body)
                error = BridgeError(error.code, error.message + " (server said: \(text))", httpStatus: head.status,
                                    body: body)
                throw error
            }
        }
        throw BridgeError.httpStatus(head.status, body: body)
    }

    /// Keeps waiting for a response whose POST stream the server closed after an event id (2025-11-25 polling):
    /// GET with `Last-Event-ID`, honouring `retry`, a bounded number of times without progress.
    private func resume(after lastEventID: String, retry: Int?, id: RequestID, method: String) async throws -> Bool {
        var cursor = lastEventID
        var delay = retry ?? 1000
        var attemptsWithoutProgress = 0
        while attemptsWithoutProgress < 5 && inFlightContains(id) {
            try await Task.sleep(for: .milliseconds(min(delay, 30_000)))
            attemptsWithoutProgress += 1
            let transfer = endpoint.listen(session: await session.snapshot(), lastEventID: cursor)
            var events = transfer.events.makeAsyncIterator()
            guard let head = try? await Self.head(of: &events), head.status == 200,
                  ReplyReader.format(of: head) == .eventStream else { return false }
            var answered = false
            let summary = try await reader.read(.eventStream, from: &events, acknowledge: transfer.acknowledge) {
                if await route($0, expected: id, method: method, head: head) { answered = true }
            }
            if answered { return true }
            if let next = summary.lastEventID, next != cursor {
                cursor = next
                attemptsWithoutProgress = 0
            }
            delay = summary.retry ?? delay
        }
        return false
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
