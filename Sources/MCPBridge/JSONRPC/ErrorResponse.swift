/// JSON-RPC error responses the bridge writes on its own behalf.
///
/// Built as text directly: the bridge never re-encodes a server's message, and its own messages are small enough
/// that a template is clearer than a JSON encoder.
enum ErrorResponse {
    /// `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…,"data":{…}}}`; `id` nil renders as `null`.
    static func line(id: RequestID?, code: Int, message: String, data: [(String, String)] = []) -> [UInt8] {
        var text = #"{"jsonrpc":"2.0","id":"# + (id?.json ?? "null")
        text += #","error":{"code":\#(code),"message":"# + JSONString.quote(message)
        if !data.isEmpty {
            text += #","data":{"# + data.map { JSONString.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        }
        text += "}}"
        return Array(text.utf8)
    }

    /// The answer for a request the bridge could not complete.
    static func line(id: RequestID, error: BridgeError) -> [UInt8] {
        var data: [(String, String)] = [("source", JSONString.quote("mcp-bridge"))]
        if let status = error.httpStatus { data.append(("httpStatus", String(status))) }
        if let body = error.bodyExcerpt { data.append(("body", JSONString.quote(body))) }
        return line(id: id, code: error.code.rawValue, message: error.message, data: data)
    }
}
