import BridgeWire

extension ErrorResponse {
    /// The answer for a request the bridge could not complete.
    static func line(id: RequestID, error: BridgeError) -> [UInt8] {
        var data: [(String, String)] = [("source", JSONString.quote("mcp-bridge"))]
        if let status = error.httpStatus { data.append(("httpStatus", String(status))) }
        if let body = error.bodyExcerpt { data.append(("body", JSONString.quote(body))) }
        return line(id: id, code: error.code.rawValue, message: error.message, data: data)
    }
}
