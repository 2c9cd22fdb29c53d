import BridgeWire

/// One request from the host (or one the bridge composed for it), with what routing needs already read from its
/// bytes.
struct HostRequest: Sendable {
    var bytes: [UInt8]
    var id: RequestID
    var method: String
    /// Set when the request is in the 2026-07-28 protocol (`_meta` names its version).
    var modern: ModernRequest?
    /// The host request's timing record, handed to the pipeline as its exchange tally (nil unless reporting).
    var observation: RequestObservation? = nil
    /// The tool a `tools/call` names.
    var toolName: String? {
        method == "tools/call" ? Envelope.string(atPath: ["params", "name"], in: bytes) : nil
    }
}
