import BridgeWire
/// One request from the host, with what routing it needs already read from its bytes.
struct HostRequest: Sendable {
    var bytes: [UInt8]
    var id: RequestID
    var method: String
    /// Set when the request is in the 2026-07-28 protocol (`_meta` names its version).
    var modern: ModernRequest?
    /// Where the server's response goes: to stdout, or back to the bridge when era translation must look at it
    /// first (an `input_required` result, a retry under another id, the bridge's own `initialize`).
    var delivery: Delivery = .host
    /// Server requests and notifications arriving on this request's stream, offered here before stdout; returns
    /// true when it dealt with the message (era translation answers server requests a modern host cannot take).
    var intercept: (@Sendable (ServerMessage) async -> Bool)?

    enum Delivery: Sendable {
        case host
        case capture(ReplyBox)
    }

    /// The tool a `tools/call` names.
    var toolName: String? {
        method == "tools/call" ? Envelope.string(atPath: ["params", "name"], in: bytes) : nil
    }
}
