/// What one JSON-RPC message is, read from its raw bytes without re-encoding them.
///
/// The bridge routes on this (requests wait for a response, notifications do not, responses go back to whoever
/// asked) and relays the original bytes. Classification validates the whole message in one pass.
///
/// Rules, beyond plain JSON-RPC 2.0:
/// - duplicate keys: the last one wins, as in most parsers (and in `JSONScanner.value(atPath:in:root:)`);
/// - `params` is exposed only when it is an object or array; any other value is left for the server to reject;
/// - a request's `id` must be a string or a number (MCP forbids `null`); a response's `id` may also be `null`;
/// - members outside the envelope (e.g. `result` on a request) are ignored, the server being the authority there.
public struct Envelope: Sendable {
    public enum Kind: Sendable, Equatable {
        case request, notification, response, batch
    }

    public var kind: Kind
    /// Request or response id; `nil` for notifications, batches, and error responses with `"id": null`.
    public var id: RequestID?
    /// Method of a request or notification.
    public var method: String?
    /// Whether a response carries `error` rather than `result`.
    public var isError: Bool
    /// Byte range of `params` when it is an object or array.
    public var params: Range<Int>?
    /// Byte range of a response's `result`.
    public var result: Range<Int>?
    /// For `.batch`, the byte range of each element; the caller classifies each one separately.
    public var batchElements: [Range<Int>]

    public init(
        kind: Kind, id: RequestID? = nil, method: String? = nil, isError: Bool = false,
        params: Range<Int>? = nil, result: Range<Int>? = nil, batchElements: [Range<Int>] = []
    ) {
        self.kind = kind
        self.id = id
        self.method = method
        self.isError = isError
        self.params = params
        self.result = result
        self.batchElements = batchElements
    }

    /// Classifies one complete message (one stdin line or one server message; surrounding whitespace allowed).
    ///
    /// `range` selects part of `bytes` (e.g. one batch element); every range in the result stays absolute in `bytes`.
    public static func classify(
        _ bytes: UnsafeRawBufferPointer, range: Range<Int>? = nil
    ) throws(EnvelopeError) -> Envelope {
        let range = range ?? 0..<bytes.count
        let first = try parsing { () throws(JSONScanError) in try firstKind(in: range, of: bytes) }
        switch first {
        case .object:
            let fields = try parsing { () throws(JSONScanError) in try Fields(range, in: bytes) }
            return try fields.envelope(in: bytes)
        case .array:
            var elements: [Range<Int>] = []
            try parsing { () throws(JSONScanError) in
                try JSONScanner.forEachElement(of: range, in: bytes) { elements.append($0.range) }
            }
            guard !elements.isEmpty else { throw .invalidRequest(id: nil, reason: "empty batch") }
            return Envelope(kind: .batch, batchElements: elements)
        default:
            _ = try parsing { () throws(JSONScanError) in try JSONScanner.validate(range, in: bytes) }
            throw .invalidRequest(id: nil, reason: "a JSON-RPC message must be an object or a batch array")
        }
    }

    public static func classify(_ bytes: [UInt8], range: Range<Int>? = nil) throws(EnvelopeError) -> Envelope {
        try bytes.withRawBytes { (raw) throws(EnvelopeError) in try classify(raw, range: range) }
    }

    /// Reads a nested string such as `["params", "name"]`; `nil` if the bytes are not JSON, a step is missing or
    /// not an object, or the value is not a string. Pass `root` (e.g. `params`) to skip re-validating the rest.
    public static func string(
        atPath path: [String], in bytes: UnsafeRawBufferPointer, root: Range<Int>? = nil
    ) -> String? {
        guard let value = try? JSONScanner.value(atPath: path, in: bytes, root: root), value.kind == .string else {
            return nil
        }
        return try? JSONScanner.string(at: value.range, in: bytes)
    }

    public static func string(atPath path: [String], in bytes: [UInt8], root: Range<Int>? = nil) -> String? {
        bytes.withUnsafeBytes { string(atPath: path, in: $0, root: root) }
    }

    private static func firstKind(
        in range: Range<Int>, of bytes: UnsafeRawBufferPointer
    ) throws(JSONScanError) -> JSONValueKind {
        var cursor = JSONCursor(bytes, range: range)
        cursor.skipWhitespace()
        return try cursor.peekKind()
    }

    private static func parsing<T>(_ body: () throws(JSONScanError) -> T) throws(EnvelopeError) -> T {
        do {
            return try body()
        } catch {
            throw .parse(error)
        }
    }
}

/// Why a message cannot be routed, split the way JSON-RPC answers it.
public enum EnvelopeError: Error, Sendable, Equatable {
    /// Not JSON at all: answer -32700 with `"id": null`.
    case parse(JSONScanError)
    /// JSON but not a JSON-RPC 2.0 message: answer -32600, with the message's id when it could be read.
    case invalidRequest(id: RequestID?, reason: String)
}

/// The envelope members of one object, gathered in a single validating pass (last duplicate wins).
private struct Fields {
    var jsonrpc: JSONValue?
    var id: JSONValue?
    var method: JSONValue?
    var params: JSONValue?
    var result: JSONValue?
    var error: JSONValue?

    init(_ range: Range<Int>, in bytes: UnsafeRawBufferPointer) throws(JSONScanError) {
        try JSONScanner.forEachMember(of: range, in: bytes) { key, value in
            // Keys are compared by length first so most members cost one integer comparison.
            switch key.range.count - 2 {
            case 2 where JSONScanner.keyEquals(key, "id", in: bytes): id = value
            case 5 where JSONScanner.keyEquals(key, "error", in: bytes): error = value
            case 6 where JSONScanner.keyEquals(key, "method", in: bytes): method = value
            case 6 where JSONScanner.keyEquals(key, "params", in: bytes): params = value
            case 6 where JSONScanner.keyEquals(key, "result", in: bytes): result = value
            case 7 where JSONScanner.keyEquals(key, "jsonrpc", in: bytes): jsonrpc = value
            case _ where key.escaped: assignEscaped(key, value, in: bytes)
            default: break
            }
        }
    }

    /// An escaped key's text is longer than its value, so the length switch above cannot find it.
    private mutating func assignEscaped(_ key: JSONScanner.Key, _ value: JSONValue, in bytes: UnsafeRawBufferPointer) {
        switch JSONScanner.decodeKey(key, in: bytes) {
        case "id": id = value
        case "error": error = value
        case "method": method = value
        case "params": params = value
        case "result": result = value
        case "jsonrpc": jsonrpc = value
        default: break
        }
    }

    func envelope(in bytes: UnsafeRawBufferPointer) throws(EnvelopeError) -> Envelope {
        let readableID = id.flatMap { Self.requestID($0, in: bytes) }
        guard let jsonrpc, jsonrpc.kind == .string, Self.string(jsonrpc, in: bytes) == "2.0" else {
            throw .invalidRequest(id: readableID, reason: "\"jsonrpc\" must be \"2.0\"")
        }
        if let method {
            guard method.kind == .string else {
                throw .invalidRequest(id: readableID, reason: "\"method\" must be a string")
            }
            let params = params.flatMap { $0.kind == .object || $0.kind == .array ? $0.range : nil }
            let name = Self.string(method, in: bytes)
            guard let id else { return Envelope(kind: .notification, method: name, params: params) }
            guard id.kind == .string || id.kind == .number else {
                throw .invalidRequest(id: nil, reason: "request \"id\" must be a string or an integer (MCP)")
            }
            return Envelope(kind: .request, id: readableID, method: name, params: params)
        }
        guard let id else {
            throw .invalidRequest(id: nil, reason: "message has neither \"method\" nor \"id\"")
        }
        guard id.kind == .string || id.kind == .number || id.kind == .null else {
            throw .invalidRequest(id: nil, reason: "\"id\" must be a string, an integer or null")
        }
        guard (result == nil) != (error == nil) else {
            throw .invalidRequest(
                id: readableID, reason: "a response must carry exactly one of \"result\" and \"error\"")
        }
        return Envelope(kind: .response, id: readableID, isError: error != nil, result: result?.range)
    }

    private static func requestID(_ value: JSONValue, in bytes: UnsafeRawBufferPointer) -> RequestID? {
        RequestID(value.kind, at: value.range, in: bytes)
    }

    /// Decodes a string the member scan already validated.
    private static func string(_ value: JSONValue, in bytes: UnsafeRawBufferPointer) -> String {
        let body = value.range.lowerBound + 1..<value.range.upperBound - 1
        let escaped = bytes[body].contains(UInt8(ascii: "\\"))
        return JSONScanner.decodeStringBody(body, escaped: escaped, in: bytes)
    }
}
