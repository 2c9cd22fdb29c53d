import BridgeWire

/// How the host's request was answered: with a result, or with an error of this JSON-RPC code (the server's own,
/// or the bridge's from the README's table).
enum RequestOutcome: Sendable, Equatable {
    case result
    case error(code: Int)

    /// The outcome a server's (or a composed) answer carries. `code` 0 when an error has no numeric code.
    init(of message: ServerMessage) {
        if message.envelope.isError {
            self = .error(code: Envelope.number(atPath: ["error", "code"], in: message.bytes) ?? 0)
        } else {
            self = .result
        }
    }

    var name: String {
        switch self {
        case .result: "result"
        case .error: "error"
        }
    }
}
