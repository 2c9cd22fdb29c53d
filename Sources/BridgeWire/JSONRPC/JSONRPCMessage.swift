/// The JSON-RPC messages the bridge writes itself, built as text in one place.
///
/// Text, not an encoder: the bridge never re-encodes a server's message, and its own are small; `params` and
/// `result` are JSON text the caller composed (or bytes it took verbatim from another message).
package enum JSONRPCMessage {
    /// `{"jsonrpc":"2.0","id":…,"method":…,"params":…}`; `params` nil leaves the member out.
    package static func request(id: RequestID, method: String, params: String? = nil) -> [UInt8] {
        var text = #"{"jsonrpc":"2.0","id":"# + id.json + #","method":"# + JSONString.quote(method)
        if let params { text += #","params":"# + params }
        return Array((text + "}").utf8)
    }

    /// `{"jsonrpc":"2.0","method":…,"params":…}`.
    package static func notification(method: String, params: String? = nil) -> [UInt8] {
        var text = #"{"jsonrpc":"2.0","method":"# + JSONString.quote(method)
        if let params { text += #","params":"# + params }
        return Array((text + "}").utf8)
    }

    /// `{"jsonrpc":"2.0","id":…,"result":…}`.
    package static func result(id: RequestID, _ result: String) -> [UInt8] {
        Array((#"{"jsonrpc":"2.0","id":"# + id.json + #","result":"# + result + "}").utf8)
    }

    /// `notifications/cancelled` for `id`, with a reason in words.
    package static func cancelled(_ id: RequestID, reason: String) -> [UInt8] {
        notification(method: "notifications/cancelled",
                     params: #"{"requestId":"# + id.json + #","reason":"# + JSONString.quote(reason) + "}")
    }
}
