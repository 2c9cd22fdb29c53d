import BridgeWire

/// One message from the server, validated, with the routing facts already read.
struct ServerMessage: Sendable {
    var bytes: [UInt8]
    var envelope: Envelope
}
