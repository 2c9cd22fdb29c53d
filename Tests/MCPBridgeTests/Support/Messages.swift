/// JSON-RPC lines a host would write, for the end-to-end tests.
enum Messages {
    static func initialize(id: Int = 1, version: String = "2025-06-18") -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"initialize","params":{"protocolVersion":"\#(version)","#
            + #""capabilities":{"elicitation":{}},"clientInfo":{"name":"e2e","version":"1"}}}"#
    }

    static let initialized = #"{"jsonrpc":"2.0","method":"notifications/initialized"}"#

    static func toolsList(id: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/list"}"#
    }

    static func call(id: Int, tool: String, arguments: String = "{}", meta: String? = nil) -> String {
        let metaPart = meta.map { #","_meta":\#($0)"# } ?? ""
        return #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"\#(tool)","arguments":"#
            + arguments + metaPart + "}}"
    }

    static func cancelled(requestID: Int) -> String {
        #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":\#(requestID),"reason":"test"}}"#
    }
}

extension BridgeProcess {
    /// initialize + notifications/initialized, as every legacy host starts; returns the initialize result.
    func handshake(version: String = "2025-06-18") async throws -> [String: Any] {
        try send(Messages.initialize(id: 1, version: version))
        let (response, _) = try await readResponse(id: 1)
        try send(Messages.initialized)
        return response
    }
}

extension [String: Any] {
    /// The text of the first content item of a tools/call result.
    var toolText: String? {
        ((result?["content"] as? [[String: Any]])?.first)?["text"] as? String
    }
}
