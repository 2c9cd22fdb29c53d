import BridgeWire

extension ErrorResponse {
    /// The answer for a request the bridge could not complete. The message and the body excerpt may quote the
    /// server, which may have echoed a secret the bridge sent it: those are masked (`SecretValues`).
    static func line(id: RequestID, error: BridgeError) -> [UInt8] {
        let secrets = SecretValues.shared
        var data: [(String, String)] = [("source", JSONString.quote("mcp-bridge"))]
        if let status = error.httpStatus { data.append(("httpStatus", String(status))) }
        if let body = error.bodyExcerpt { data.append(("body", JSONString.quote(secrets.redact(body)))) }
        return line(id: id, code: error.code.rawValue, message: secrets.redact(error.message), data: data)
    }
}
