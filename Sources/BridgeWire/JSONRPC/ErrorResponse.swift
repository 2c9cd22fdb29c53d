/// JSON-RPC error responses the bridge writes on its own behalf.
///
/// Built as text directly: the bridge never re-encodes a server's message, and its own messages are small enough
/// that a template is clearer than a JSON encoder.
package enum ErrorResponse {
    /// `{"jsonrpc":"2.0","id":…,"error":{"code":…,"message":…,"data":{…}}}`; `id` nil renders as `null`.
    package static func line(id: RequestID?, code: Int, message: String, data: [(String, String)] = []) -> [UInt8] {
        var text = #"{"jsonrpc":"2.0","id":"# + (id?.json ?? "null")
        text += #","error":{"code":\#(code),"message":"# + JSONString.quote(message)
        if !data.isEmpty {
            text += #","data":{"# + data.map { JSONString.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
        }
        text += "}}"
        return Array(text.utf8)
    }
}
