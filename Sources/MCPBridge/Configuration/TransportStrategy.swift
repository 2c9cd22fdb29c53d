/// Which HTTP transport the bridge speaks to the server, with mcp-remote's `--transport` values.
///
/// Streamable HTTP (2025-03-26 and later) replaced the 2024-11-05 "HTTP with SSE" transport, but servers of both kinds
/// are deployed, often behind the same kind of URL. The `-first` strategies try one and fall back to the other once
/// (the spec's "backwards compatibility" procedure); the `-only` strategies never switch, so a misconfigured URL fails
/// loudly instead of silently speaking the other protocol.
public enum TransportStrategy: String, Sendable, CaseIterable {
    /// Streamable HTTP; if `initialize` is refused with 400/404/405, the 2024-11-05 SSE transport (the default).
    case httpFirst = "http-first"
    /// The 2024-11-05 SSE transport; if the GET yields no `endpoint` event, Streamable HTTP.
    case sseFirst = "sse-first"
    case httpOnly = "http-only"
    case sseOnly = "sse-only"

    /// Whether the 2024-11-05 SSE transport is tried before Streamable HTTP.
    public var startsWithSSE: Bool { self == .sseFirst || self == .sseOnly }
}
