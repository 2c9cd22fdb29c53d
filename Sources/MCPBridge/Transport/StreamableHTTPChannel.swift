import BridgeHTTP
import BridgeWire
import Logging

/// Streamable HTTP, one exchange at a time: a POST of a message with the headers its era requires, its status read
/// as the spec says, its reply decoded. Stateless: the session facts to send come from the caller (`SessionChannel`
/// owns them), and a 404 for a session is reported, not handled.
struct StreamableHTTPChannel: Sendable {
    let endpoint: RemoteEndpoint
    let reader: ReplyReader
    let tools: ToolCatalog
    let requestTimeout: Duration?
    let inbound: Inbound
    let logger: Logger

    /// How a request's POST ended.
    enum CallEnd {
        /// `sessionID`: the `Mcp-Session-Id` the answering response carried.
        case answered(sessionID: String?)
        /// The server did not know the session the request carried (HTTP 404): it was not processed.
        case sessionNotFound
        /// The reply ended without answering the request; `summary` tells whether it can be resumed.
        case unanswered(ReplySummary, format: ReplyReader.Format, status: Int)
    }

    /// POSTs `request` with `session`'s headers and hands its reply to `onMessage`. `sessionLost` words a 404 after
    /// the session was just renewed (stateful replicas behind a balancer without affinity).
    @inline(__always)
    func post(_ request: HostRequest, session: SessionState.Snapshot, context: ExchangeContext, sessionLost: Bool,
              onMessage: ReplyHandler) async throws -> CallEnd {
        let post = endpoint.post(request.bytes, session: session, extraHeaders: modernHeaders(for: request),
                                 timeout: requestTimeout)
        return try await endpoint.send(post, context) { response in
            if response.status == 404, session.sessionID != nil, request.method != "initialize", !sessionLost {
                return .sessionNotFound
            }
            return try await readReply(&response, to: request, session: session, sessionLost: sessionLost,
                                       onMessage: onMessage)
        }
    }

    private func readReply(_ response: inout HTTPResponse, to request: HostRequest, session: SessionState.Snapshot,
                           sessionLost: Bool, onMessage: ReplyHandler) async throws -> CallEnd {
        let head = response.head
        guard (200..<300).contains(head.status) else {
            let lost = head.status == 404 && session.sessionID != nil && sessionLost
            return try await failedStatus(&response, request: request, sessionLost: lost, onMessage: onMessage)
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
        // The session id matters only in the answer to `initialize`: no header scan for every other call. Checked
        // before the answer reaches the host, which must not believe in a session the bridge refused.
        let sessionID = request.method == "initialize"
            ? try ServerHeaderValue.sessionID(head.value(for: HeaderName.sessionID)) : nil
        var answered = false
        let sessionless = session.sessionID == nil && request.modern == nil
            && head.value(for: HeaderName.sessionID) == nil
        let summary = try await reader.read(format, from: &response) { message in
            if sessionless, message.envelope.kind == .request { try Self.unanswerable(message) }
            if try await onMessage(message) { answered = true }
        }
        return answered ? .answered(sessionID: sessionID)
            : .unanswered(summary, format: format, status: head.status)
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

    /// A non-2xx answer: hand over the server's own JSON-RPC error for this id if it sent one, else explain the
    /// status. `sessionLost`: a 404 for the session just re-established.
    private func failedStatus(
        _ response: inout HTTPResponse, request: HostRequest, sessionLost: Bool, onMessage: ReplyHandler
    ) async throws -> CallEnd {
        let head = response.head
        let body = await response.collect(upTo: 1 << 20)
        let envelope = (try? Envelope.classify(body)).flatMap { $0.kind == .response ? $0 : nil }
        let serverSaid = envelope.flatMap { _ in Envelope.string(atPath: ["error", "message"], in: body) }
        let retryAfter = head.value(for: "retry-after").flatMap { Int($0.trimmingSpaces()) }.map { Duration.seconds($0) }
        let error = sessionLost
            ? BridgeError(.sessionExpired, "the server did not know the session even right after mcp-bridge "
                + "re-initialized it (HTTP 404); stateful server replicas behind a load balancer need sticky "
                + "sessions (route by Mcp-Session-Id), or use a stateless server"
                + (serverSaid.map { " (server said: \($0))" } ?? ""), httpStatus: 404, body: body, retryAfter: retryAfter)
            : BridgeError.httpStatus(head.status, body: body, serverSaid: serverSaid, retryAfter: retryAfter)
        // Not processed, whatever the body says: the era router may send it again in 2026-07-28.
        if sessionLost { throw SessionNotKept(error: error) }
        if let envelope {
            if request.modern != nil, head.status == 400,
               Envelope.number(atPath: ["error", "code"], in: body) == HeaderMismatch.code {
                throw HeaderMismatch(error: error)
            }
            if envelope.id == request.id {
                let sessionID = try ServerHeaderValue.sessionID(head.value(for: HeaderName.sessionID))
                _ = try await onMessage(ServerMessage(bytes: body, envelope: envelope))
                return .answered(sessionID: sessionID)
            }
        }
        throw error
    }

    /// POSTs a notification or an answer; messages in the reply go to `Inbound`. Returns the status.
    func send(_ message: [UInt8], session: SessionState.Snapshot, what: String) async throws -> Int {
        let post = endpoint.post(message, session: session, timeout: .seconds(30))
        return try await endpoint.send(post, ExchangeContext(label: what)) { response in
            let status = response.status
            if status == 404, session.sessionID != nil { return status }
            if (200..<300).contains(status), let format = ReplyReader.format(of: response.head) {
                // Unusual but allowed: the server may answer a notification with messages of its own.
                _ = try await reader.read(format, from: &response) { await inbound.deliver($0) }
            } else if status >= 300 {
                let body = await response.collect(upTo: 4096)
                logger.warning("the server rejected a message", metadata: [
                    "mcp.message": "\(what)", "http.status": "\(status)",
                    "body": "\(BridgeError.excerpt(body, limit: 200))",
                ])
            }
            return status
        }
    }

    /// GETs the server's event stream (resuming after `lastEventID`) and hands the response to `reading`.
    func listen<Reply>(session: SessionState.Snapshot, lastEventID: String?, label: String,
                       reading: (inout HTTPResponse) async throws -> Reply) async throws -> Reply {
        try await endpoint.send(endpoint.listen(session: session, lastEventID: lastEventID),
                                ExchangeContext(label: label), reading: reading)
    }

    /// Ends the session on the server (405 means the server does not support it, which is fine).
    func delete(session: SessionState.Snapshot) async -> Int? {
        try? await endpoint.send(endpoint.delete(session: session), ExchangeContext(label: "DELETE session")) {
            $0.status
        }
    }

    /// The 2026-07-28 routing headers for a modern request (none for a legacy one).
    func modernHeaders(for request: HostRequest) -> [HTTPHeader] {
        guard let modern = request.modern else { return [] }
        var parameters: [HTTPHeader] = []
        if let tool = request.toolName, let schema = tools.headerSchema(for: tool) {
            parameters = schema.headers(arguments: modern.arguments, in: request.bytes)
        }
        return modern.headers(parameters: parameters)
    }
}

/// A modern server rejected our `Mcp-Param-*` headers (-32020): the tool list is refreshed and the call retried.
struct HeaderMismatch: Error {
    static let code = -32020
    var error: BridgeError
}
