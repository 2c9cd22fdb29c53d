/// The server did not know the session even right after the bridge renewed it (stateful replicas behind a load
/// balancer without affinity), or the session was given up for 2026-07-28: the request was not processed.
///
/// Thrown instead of a plain `BridgeError` so the era router can switch a dual-era server to 2026-07-28 and send
/// the request again there; every other caller answers the host with `error`.
struct SessionNotKept: Error {
    var error: BridgeError

    static let abandoned = SessionNotKept(error: BridgeError(.sessionExpired, "the session was given up for MCP "
        + "2026-07-28 while this request was on its way; it was not processed"))
}
