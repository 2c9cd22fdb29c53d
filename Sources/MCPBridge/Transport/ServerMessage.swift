import BridgeWire

/// One message from the server, validated, with the routing facts already read.
struct ServerMessage: Sendable {
    var bytes: [UInt8]
    var envelope: Envelope
}

extension ServerMessage {
    /// A server's JSON-RPC batch (an array) taken apart (see `BatchSplit`), so each element is routed as the
    /// message it is: the response for a host request answers it as one JSON-RPC object, never inside an array the
    /// host did not ask for.
    static func elements(of batch: ServerMessage) -> (messages: [ServerMessage], dropped: Int) {
        let (elements, dropped) = BatchSplit.elements(of: batch.bytes, batch.envelope)
        return (elements.map { ServerMessage(bytes: $0.bytes, envelope: $0.envelope) }, dropped)
    }
}
