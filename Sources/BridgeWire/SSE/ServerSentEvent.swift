/// One dispatched event from a `text/event-stream` body.
///
/// The payload stays as raw bytes because the bridge relays JSON-RPC messages untouched: decoding to `String` and
/// back would cost a copy per message on the hot path and could rewrite invalid UTF-8 that the host should see as-is.
public struct ServerSentEvent: Sendable, Equatable {
    /// The `event:` field, or `"message"` when the event had none (or an empty one), as WHATWG specifies.
    /// Streamable HTTP clients only parse JSON out of `"message"` events; the legacy transport also sends `"endpoint"`.
    public var type: String

    /// The `data:` lines joined by LF, without the final LF. Empty for MCP priming events (`id: X\ndata: \n\n`),
    /// which are still dispatched so that a caller can tell them apart from "no event" and skip them deliberately.
    public var data: [UInt8]

    /// The last event ID in force when this event was dispatched; it persists from earlier events, so it is what a
    /// client must send as `Last-Event-ID` if the stream breaks right after this event.
    public var id: String?

    public init(type: String = "message", data: [UInt8], id: String? = nil) {
        self.type = type
        self.data = data
        self.id = id
    }
}
