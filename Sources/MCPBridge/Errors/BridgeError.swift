import BridgeHTTP
import BridgeRuntime

/// Why the bridge could not deliver a server's answer to a host request.
///
/// Each failure becomes a JSON-RPC error on stdout carrying the request's `id`, a code from the
/// implementation-defined range -32000…-32019 (so a host never mistakes it for the server's own error), a message
/// that says what to do, and `data` with the HTTP status and a body excerpt when there was one.
/// -32002 is skipped on purpose: MCP servers before 2026-07-28 use it for "resource not found".
public struct BridgeError: Error, Sendable, CustomStringConvertible {
    /// The documented table of codes (README "Error codes").
    public enum Code: Int, Sendable, CaseIterable {
        /// The server could not be reached: connection refused, DNS failure, connect timeout.
        case connectFailed = -32000
        /// `--request-timeout` expired before the server answered.
        case timedOut = -32001
        /// The TLS handshake or certificate verification failed.
        case tls = -32003
        /// The server answered with an HTTP error status and no JSON-RPC answer for this request.
        case httpStatus = -32004
        /// The connection or stream ended before the server sent the response.
        case streamEnded = -32005
        /// The server's reply was not valid MCP (not JSON, wrong content type, no matching response).
        case protocolViolation = -32006
        /// The session expired and could not be re-established.
        case sessionExpired = -32007
        /// The server's reply exceeded `--max-message-bytes`.
        case replyTooLarge = -32008
        /// The server demands authentication (401/403).
        case unauthorized = -32009
        /// The bridge is shutting down and stopped waiting for this request.
        case shuttingDown = -32010
        /// The host reused the id of a request that is still in flight.
        case duplicateID = -32011
        /// A `tools/call` sent after the server already answered could have had effects: outcome unknown.
        case outcomeUnknown = -32012
        /// The server and the host share no MCP version mcp-bridge can translate between (`--protocol`).
        case incompatibleProtocol = -32013
        /// Era translation: the host could not answer a request the server needs to finish the call
        /// (elicitation, sampling, roots), or never retried a call that was waiting for its input.
        case hostInputFailed = -32014
        /// The server stopped speaking the era the bridge detected (it was redeployed) and still did after the
        /// bridge asked it again; retry, or pin the era with `--protocol`.
        case serverChangedEra = -32015
    }

    public let code: Code
    /// Human text: what happened and what to do next. Never contains header values or credentials.
    public let message: String
    public let httpStatus: Int?
    /// Up to 1 KiB of the server's response body, for diagnosis.
    public let bodyExcerpt: String?
    /// Retry facts, fixed when the error is made (the one who saw the failure knows them):
    /// whether the request may have reached the server (decides whether re-sending is safe) …
    let mayHaveReachedServer: Bool
    /// … and the server's `Retry-After`, when it sent one.
    let retryAfter: Duration?
    /// What failed underneath, for logs: libcurl's error inside an `HTTPClientError`, say.
    public let underlyingError: (any Error & Sendable)?

    init(_ code: Code, _ message: String, httpStatus: Int? = nil, body: [UInt8]? = nil,
         mayHaveReachedServer: Bool = true, retryAfter: Duration? = nil, underlying: (any Error & Sendable)? = nil) {
        self.code = code
        self.message = message
        self.httpStatus = httpStatus
        self.bodyExcerpt = body.flatMap { $0.isEmpty ? nil : Self.excerpt($0) }
        self.mayHaveReachedServer = mayHaveReachedServer
        self.retryAfter = retryAfter
        self.underlyingError = underlying
    }

    public var description: String {
        var text = message
        if let httpStatus { text += " (HTTP \(httpStatus))" }
        return text
    }

    /// The first KiB of a body as text, cut on a UTF-8 character boundary.
    static func excerpt(_ body: [UInt8], limit: Int = 1024) -> String {
        guard body.count > limit else { return String(decoding: body, as: UTF8.self) }
        var end = limit
        while end > 0 && (body[end] & 0xC0) == 0x80 { end -= 1 }
        return String(decoding: body[..<end], as: UTF8.self) + "…"
    }
}

extension BridgeError {
    /// The server could not be reached; `reached` false when nothing can have arrived (refused, DNS, connect
    /// timeout), which makes any request safe to send again.
    static func connectFailed(_ detail: String, reached: Bool = true,
                              underlying: (any Error & Sendable)? = nil) -> BridgeError {
        BridgeError(.connectFailed, "cannot reach the MCP server: \(detail); check the URL, that the server is running, "
            + "and any proxy or firewall in between", mayHaveReachedServer: reached, underlying: underlying)
    }

    /// An HTTP error status without a JSON-RPC answer for the request; `serverSaid` is the `error.message` of a
    /// JSON-RPC error the body held for another id, `retryAfter` the server's `Retry-After`.
    static func httpStatus(_ status: Int, body: [UInt8], serverSaid: String? = nil,
                           retryAfter: Duration? = nil) -> BridgeError {
        let hint = switch status {
        case 401, 403: "the server refused our credentials: check the --header values (e.g. Authorization)"
        case 404: "the URL path was not found: check the MCP endpoint path"
        case 405: "the server does not accept POST here: check the MCP endpoint path"
        case 406, 415: "the server rejected the request format"
        case 408, 504: "the server or a proxy timed out; try again"
        case 429: "the server is rate limiting; try again later"
        case 502, 503: "the server or its load balancer is unavailable; try again"
        default: status >= 500 ? "the server failed; try again or check its logs" : "the server rejected the request"
        }
        let code: Code = (status == 401 || status == 403) ? .unauthorized : .httpStatus
        // 503 and 429 mean the request was turned away, not processed.
        return BridgeError(code, "MCP server answered HTTP \(status): \(hint)" + (serverSaid.map { " (server said: \($0))" } ?? ""),
                           httpStatus: status, body: body, mayHaveReachedServer: status != 503 && status != 429,
                           retryAfter: retryAfter)
    }

    /// Maps a libcurl failure to the table, keeping libcurl's own explanation.
    /// The documented error for a failure below HTTP; `requestTimeout` is the limit the transfer ran under, so its
    /// expiry reads as -32001 with that limit (not "cannot reach").
    static func transport(_ error: HTTPClientError, requestTimeout: Duration?) -> BridgeError {
        if error.failedToConnect {
            return .connectFailed(error.message, reached: false, underlying: error)
        }
        if error.isTLSFailure {
            return BridgeError(.tls, "TLS failure talking to the MCP server: \(error.message); check the certificate "
                + "(a private CA needs --cacert)", underlying: error)
        }
        if error.isTimeout {
            let limit = requestTimeout.map { " (\($0.formatted))" } ?? ""
            return BridgeError(.timedOut, "no answer within --request-timeout\(limit); the request was cancelled "
                + "upstream. Raise --request-timeout if the tool is slow", underlying: error)
        }
        if error.underlying == nil {
            return BridgeError(.streamEnded, "the connection closed before the server sent an HTTP response",
                               underlying: error)
        }
        return BridgeError(.streamEnded, "the connection to the MCP server broke before the response arrived: "
            + "\(error.message); the request may or may not have run, retry if it is safe", underlying: error)
    }
}

extension Duration {
    /// "2.5s" style, for messages.
    var formatted: String {
        let ms = milliseconds
        return ms % 1000 == 0 ? "\(ms / 1000)s" : "\(Double(ms) / 1000)s"
    }
}
