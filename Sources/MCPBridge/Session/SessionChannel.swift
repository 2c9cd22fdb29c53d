import BridgeHTTP
import BridgeWire
import Logging

/// Streamable HTTP with the handshake era's session: every exchange carries the session in force, a 404 for it
/// renews it once (the host's own handshake replayed out of sight), and a reply stream the server cut after an
/// event id is resumed with `Last-Event-ID`. The only writer of the session facts besides the host's own
/// `initialize` (see `SessionState`).
struct SessionChannel: ServerChannel {
    let http: StreamableHTTPChannel
    let session: SessionState
    /// Whether a request may be sent twice (`RetryPolicy.safeMethods`, or a tool the server marked safe).
    let isRepeatable: @Sendable (HostRequest) -> Bool
    /// Whether the host still waits for `id` (not answered, not cancelled); a request nobody waits for is not
    /// resumed or reported. Ids the bridge made up for itself are never owed: their callers judge the reply.
    let isOwed: @Sendable (RequestID) -> Bool

    var logger: Logger { http.logger }

    func call(_ request: HostRequest, onMessage: ReplyHandler) async throws {
        var headersRefreshed = false
        while true {
            do {
                return try await exchange(request, sessionLost: false, onMessage: onMessage)
            } catch is HeaderMismatch where !headersRefreshed {
                // 2026-07-28: the server's view of the tool's x-mcp-header differs from ours; relearn and retry once.
                headersRefreshed = true
                if let modern = request.modern { await refreshToolHeaders(for: request, modern: modern) }
            } catch let failure {
                let error = try Self.bridgeError(from: failure)
                guard RetryPolicy.isTransient(error), !isRepeatable(request) else { throw error }
                throw Self.outcomeUnknown(error, request)
            }
        }
    }

    /// What the pipeline needs to know of a request: retried as `RetryPolicy` allows, and a dropped
    /// `subscriptions/listen` is worth a warning (the host hears nothing while it is down).
    private func context(for request: HostRequest) -> ExchangeContext {
        ExchangeContext(label: request.method, requestID: request.id, mayRetry: true,
                        isRepeatable: { [isRepeatable] in isRepeatable(request) },
                        retryWarning: request.method == "subscriptions/listen"
                            ? "subscription stream dropped; listening again" : nil,
                        tally: request.observation?.tally)
    }

    private func exchange(_ request: HostRequest, sessionLost: Bool, onMessage: ReplyHandler) async throws {
        // A 2026-07-28 request has no session to wait for (and the era probe runs while the host's initialize waits).
        let snapshot = await session.snapshot(forInitialize: request.method == "initialize" || request.modern != nil)
        // Given up for 2026-07-28 while this request waited: without its session it would be refused (or start one).
        if snapshot.abandoned, request.modern == nil, request.method != "initialize" { throw SessionNotKept.abandoned }
        let end = request.method == "initialize"
            ? try await initialize(request, session: snapshot, sessionLost: sessionLost, onMessage: onMessage)
            : try await http.post(request, session: snapshot, context: context(for: request),
                                  sessionLost: sessionLost, onMessage: onMessage)
        try await settle(end, request, snapshot, onMessage: onMessage)
    }

    /// An `initialize` (the host's, or the bridge's own for a 2026-07-28 host): its answer's session id and
    /// protocol version become the session every later request carries.
    private func initialize(_ request: HostRequest, session snapshot: SessionState.Snapshot, sessionLost: Bool,
                            onMessage: ReplyHandler) async throws -> StreamableHTTPChannel.CallEnd {
        var accepted: Accepted?
        let end = try await http.post(request, session: snapshot, context: context(for: request),
                                      sessionLost: sessionLost) { message in
            if message.envelope.kind == .response, message.envelope.id == request.id { accepted = Accepted(message) }
            return try await onMessage(message)
        }
        if case .answered(let sessionID) = end, let accepted {
            await session.adopt(sessionID: sessionID, protocolVersion: accepted.protocolVersion)
        }
        return end
    }

    /// A successful answer to `initialize`, and the protocol version it names (if any).
    struct Accepted {
        var protocolVersion: String?

        init?(_ reply: ServerMessage) {
            guard !reply.envelope.isError else { return nil }
            protocolVersion = reply.envelope.result.flatMap {
                Envelope.string(atPath: ["protocolVersion"], in: reply.bytes, root: $0)
            }
        }
    }

    private func settle(_ end: StreamableHTTPChannel.CallEnd, _ request: HostRequest,
                        _ snapshot: SessionState.Snapshot, onMessage: ReplyHandler) async throws {
        switch end {
        case .answered:
            return
        case .sessionNotFound:
            logger.debug("session expired (HTTP 404); re-initializing", metadata: ["mcp.id": "\(request.id)"])
            try await renew(snapshot)
            try await exchange(request, sessionLost: true, onMessage: onMessage)
        case .unanswered(let summary, let format, let status):
            guard isOwed(request.id) else { return }
            if let lastEventID = summary.lastEventID, snapshot.sessionID != nil,
               try await resume(after: lastEventID, retry: summary.retry, answering: request, onMessage: onMessage) {
                return
            }
            try Task.checkCancellation()
            throw Self.unanswered(summary, format: format, status: status)
        }
    }

    /// Typed view of a failed exchange; cancellation and a session that cannot be kept pass through untouched.
    private static func bridgeError(from failure: any Error) throws -> BridgeError {
        switch failure {
        case let error as BridgeError: return error
        case is CancellationError, is SessionNotKept: throw failure
        case let mismatch as HeaderMismatch: return mismatch.error
        default: return BridgeError(.protocolViolation, "unexpected failure: \(failure)")
        }
    }

    /// A request with possible side effects broke after it may have reached the server: say so plainly.
    private static func outcomeUnknown(_ error: BridgeError, _ request: HostRequest) -> BridgeError {
        BridgeError(.outcomeUnknown, "\(request.method) may have reached the server before the failure ("
            + error.message + "); it may have side effects, so mcp-bridge did not send it again: the outcome is "
            + "unknown, check before retrying", httpStatus: error.httpStatus)
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
        if let refused = summary.refusedEventID {
            return BridgeError(.streamEnded, "the server closed the response stream before sending the response, "
                + "and its SSE event id holds bytes outside visible ASCII (\(refused)), so mcp-bridge did not resume "
                + "with it as Last-Event-ID; the request may or may not have run, retry if it is safe, and fix the "
                + "server's event ids", httpStatus: status)
        }
        return BridgeError(.streamEnded, "the server closed the response stream before sending the response; "
            + "the request may or may not have run, retry if it is safe", httpStatus: status)
    }

    /// The session named in `expired` is gone: renew it once, however many requests report it.
    private func renew(_ expired: SessionState.Snapshot) async throws(BridgeError) {
        try await session.renew(expired: expired) { initialize, initialized throws(BridgeError) in
            try await handshake(initialize: initialize, initialized: initialized)
        }
    }

    func send(_ message: [UInt8], what: String) async -> Int? {
        // An answer to a server request belongs to the session that asked: a renewed one cannot route it.
        let isAnswer = (try? Envelope.classify(message))?.kind == .response
        return await send(message, what: what, mayRenewSession: !isAnswer)
    }

    private func send(_ message: [UInt8], what: String, mayRenewSession: Bool) async -> Int? {
        let snapshot = await session.snapshot()
        do {
            let status = try await http.send(message, session: snapshot, what: what)
            guard status == 404, snapshot.sessionID != nil, mayRenewSession else { return status }
            try await renew(snapshot)
            return await send(message, what: what, mayRenewSession: false)
        } catch {
            logger.warning("could not deliver a message to the server", metadata: [
                "mcp.message": "\(what)", "error": "\(error)",
            ])
            return nil
        }
    }

    func batch(_ message: [UInt8], ids: [RequestID]) async -> [(RequestID, BridgeError)] {
        await batch(message, ids: ids, mayRenewSession: true)
    }

    /// A 404 for the batch's session renews it and sends the batch once more, as for a single request (the server
    /// processed none of it); a 404 right after renewing is the session the server cannot keep.
    private func batch(_ message: [UInt8], ids: [RequestID], mayRenewSession: Bool) async -> [(RequestID, BridgeError)] {
        let snapshot = await session.snapshot()
        let post = http.endpoint.post(message, session: snapshot, timeout: http.requestTimeout)
        var failure: BridgeError?
        var sessionNotFound = false
        do {
            try await http.endpoint.send(post, ExchangeContext(label: "batch")) { response in
                if response.status == 404, snapshot.sessionID != nil {
                    sessionNotFound = true
                } else if (200..<300).contains(response.status), let format = ReplyReader.format(of: response.head) {
                    _ = try await http.reader.read(format, from: &response, keepingBatches: true) {
                        await http.inbound.deliver($0)
                    }
                } else if !(200..<300).contains(response.status) {
                    failure = .httpStatus(response.status, body: await response.collect(upTo: 1 << 20))
                }
            }
        } catch let error as BridgeError {
            failure = error
        } catch {
            return []
        }
        if sessionNotFound {
            guard mayRenewSession else {
                let lost = BridgeError(.sessionExpired, "the server did not know the session even right after "
                    + "mcp-bridge re-initialized it (HTTP 404); stateful server replicas behind a load balancer need "
                    + "sticky sessions (route by Mcp-Session-Id), or use a stateless server", httpStatus: 404)
                return ids.map { ($0, lost) }
            }
            do throws(BridgeError) {
                try await renew(snapshot)
            } catch {
                return ids.map { ($0, error) }
            }
            return await batch(message, ids: ids, mayRenewSession: false)
        }
        let fallback = failure ?? BridgeError(.streamEnded, "the server's reply to the batch had no response "
            + "for this request")
        return ids.map { ($0, fallback) }
    }
}
