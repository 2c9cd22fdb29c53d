import BridgeWire

/// A 2026-07-28 `InputRequiredResult`: the server needs the client to answer some requests before it can finish a
/// call, and wants the call sent again with `inputResponses` and its `requestState` echoed verbatim.
struct InputRequired: Sendable {
    struct Question: Sendable {
        /// The JSON key (decoded) and the request object `{"method":…,"params":…}` as the server wrote it.
        var key: String
        var method: String
        var request: Range<Int>
    }

    var questions: [Question]
    /// The raw JSON string, echoed as is (the client must not inspect it).
    var requestState: Range<Int>?

    /// Nil unless `message` is a result whose `resultType` is `input_required`.
    init?(_ message: ServerMessage) {
        let bytes = message.bytes
        guard message.envelope.kind == .response, let result = message.envelope.result,
              Envelope.string(atPath: ["resultType"], in: bytes, root: result) == "input_required"
        else { return nil }
        questions = []
        if let requests = try? JSONScanner.value(atPath: ["inputRequests"], in: bytes, root: result),
           requests.kind == .object {
            for member in (try? JSONScanner.members(of: requests.range, in: bytes)) ?? [] where member.kind == .object {
                let method = Envelope.string(atPath: ["method"], in: bytes, root: member.value) ?? ""
                questions.append(Question(key: member.key, method: method, request: member.value))
            }
        }
        let state = try? JSONScanner.value(atPath: ["requestState"], in: bytes, root: result)
        requestState = state?.kind == .string ? state?.range : nil
    }

    /// The JSON-RPC request to write to the host for one question: the server's object with `jsonrpc` and `id`
    /// added in front, every other byte as the server wrote it.
    static func hostRequest(_ question: Question, id: RequestID, in bytes: [UInt8]) -> [UInt8] {
        let open = question.request.lowerBound + 1
        let rest = bytes[open..<question.request.upperBound]
        let empty = rest.first(where: { ![0x20, 0x09, 0x0A, 0x0D].contains($0) }) == UInt8(ascii: "}")
        return Array(#"{"jsonrpc":"2.0","id":\#(id.json)\#(empty ? "" : ",")"#.utf8) + Array(rest)
    }
}
