import BridgeHTTP
import BridgeWire

/// A host request in the 2026-07-28 ("modern") protocol, and the HTTP headers that protocol requires for it.
///
/// A request is modern when its `params._meta` names `io.modelcontextprotocol/protocolVersion`. Modern traffic is
/// relayed as is; the only work is mirroring routing facts into headers: `MCP-Protocol-Version` (equal to the
/// `_meta` value), `Mcp-Method`, `Mcp-Name` (`params.name` for `tools/call` and `prompts/get`, `params.uri` for
/// `resources/read`) and one `Mcp-Param-<Name>` per `x-mcp-header` property of the called tool.
struct ModernRequest: Sendable {
    static let versionKey = "io.modelcontextprotocol/protocolVersion"

    var protocolVersion: String
    var method: String
    /// `params.name` or `params.uri`, for the methods that carry one.
    var name: String?
    /// The raw `params._meta` value, reused for requests the bridge makes on the host's behalf (`tools/list`).
    var meta: Range<Int>
    /// `params.arguments` of a `tools/call`.
    var arguments: Range<Int>?

    init?(_ bytes: [UInt8], envelope: Envelope) {
        guard let method = envelope.method, let params = envelope.params,
              let meta = try? JSONScanner.value(atPath: ["_meta"], in: bytes, root: params), meta.kind == .object,
              let version = Envelope.string(atPath: [Self.versionKey], in: bytes, root: meta.range)
        else { return nil }
        self.protocolVersion = version
        self.method = method
        self.meta = meta.range
        switch method {
        case "tools/call", "prompts/get": name = Envelope.string(atPath: ["name"], in: bytes, root: params)
        case "resources/read": name = Envelope.string(atPath: ["uri"], in: bytes, root: params)
        default: name = nil
        }
        let arguments = try? JSONScanner.value(atPath: ["arguments"], in: bytes, root: params)
        self.arguments = arguments?.kind == .object ? arguments?.range : nil
    }

    /// The headers for this request; `parameters` comes from the called tool's cached schema.
    func headers(parameters: [HTTPHeader]) -> [HTTPHeader] {
        var headers = [
            HTTPHeader(name: HeaderName.protocolVersion, value: protocolVersion),
            HTTPHeader(name: "Mcp-Method", value: method),
        ]
        if let name { headers.append(HTTPHeader(name: "Mcp-Name", value: HeaderValueEncoding.encode(name))) }
        return headers + parameters
    }
}
