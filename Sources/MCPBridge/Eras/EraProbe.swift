import BridgeWire
import Logging

/// `--protocol auto`: asking the server which era it speaks, the way the 2026-07-28 spec tells a dual-era client to.
///
/// One `server/discover` at the newest modern version. A discover result naming a modern version the bridge speaks
/// is the only evidence of a modern server; every other answer (an HTTP error, a JSON-RPC error, a body that is not
/// a discover result, silence) means the handshake era: the rule is a denylist, never keyed to one error code.
/// The one exception is `-32022` naming versions: a mutual modern version is tried once, and a list of modern
/// versions the bridge does not know is a real incompatibility. Failing to reach the server is no verdict at all.
struct EraProbe: Sendable {
    /// How long a server may stay silent before the probe concludes it does not speak 2026-07-28.
    static let timeout: Duration = .seconds(10)

    let mode: ProtocolMode
    /// Streamable HTTP, never the 2024-11-05 transport (which exists only in the handshake era).
    let channel: any ServerChannel
    let logger: Logger

    func run() async -> Result<ServerEra, BridgeError> {
        var version = ProtocolVersions.latestModern
        for attempt in 0..<2 {
            let verdict = await probe(at: version, attempt: attempt)
            // Cancelled (the host's own initialize already settled the era): no verdict, and nothing to log.
            if Task.isCancelled { return .failure(BridgeError(.shuttingDown, "the era probe was no longer needed")) }
            switch verdict {
            case .modern(let facts):
                logger.debug("the server speaks 2026-07-28", metadata: ["mcp.protocol_version": "\(facts.version)"])
                return .success(.modern(facts))
            case .retry(let mutual) where attempt == 0:
                version = mutual
            case .retry, .legacy:
                return legacyVerdict(because: verdict)
            case .unreachable(let error):
                return .failure(error)
            case .incompatible(let supported):
                return .failure(BridgeError(.incompatibleProtocol, "the server speaks only MCP versions "
                    + supported.joined(separator: ", ") + ", none of which mcp-bridge implements; upgrade mcp-bridge"))
            }
        }
        return legacyVerdict(because: .legacy("no answer"))
    }

    private enum Verdict {
        case modern(DiscoverFacts)
        case retry(String)
        case legacy(String)
        case unreachable(BridgeError)
        case incompatible([String])
    }

    private func legacyVerdict(because verdict: Verdict) -> Result<ServerEra, BridgeError> {
        let reason = if case .legacy(let reason) = verdict { reason } else { "no mutual version" }
        guard mode != .modern else {
            return .failure(BridgeError(.incompatibleProtocol, "--protocol modern, but the server does not speak "
                + "MCP 2026-07-28 (server/discover: \(reason)); use --protocol auto or legacy"))
        }
        logger.debug("the server speaks the 2025 handshake era", metadata: ["reason": "\(reason)"])
        return .success(.legacy)
    }

    private func probe(at version: String, attempt: Int) async -> Verdict {
        let id = RequestID.string("mcp-bridge-discover-\(attempt)")
        let bytes = JSONRPCMessage.request(id: id, method: "server/discover",
                                           params: #"{"_meta":"# + ProtocolVersions.bridgeMeta(version: version) + "}")
        guard let envelope = try? Envelope.classify(bytes) else { return .legacy("internal") }
        let discover = HostRequest(bytes: bytes, id: id, method: "server/discover",
                                   modern: ModernRequest(bytes, envelope: envelope))
        let outcome: Result<ServerMessage?, BridgeError>? = await withTaskGroup(of: Result<ServerMessage?, BridgeError>?.self) { group in
            group.addTask {
                do {
                    var reply: ServerMessage?
                    // Whatever else the reply carries is not the host's.
                    try await channel.call(discover) { message in
                        guard message.envelope.kind == .response, message.envelope.id == id else { return false }
                        reply = message
                        return true
                    }
                    return .success(reply)
                } catch let error as BridgeError {
                    return .failure(error)
                } catch {
                    return .failure(BridgeError(.protocolViolation, "server/discover failed: \(error)"))
                }
            }
            group.addTask {
                try? await Task.sleep(for: Self.timeout)
                return nil
            }
            let first = await group.next() ?? nil
            group.cancelAll()
            return first
        }
        switch outcome {
        case nil:
            return .legacy(BridgeError(.timedOut, "no answer to server/discover within \(Self.timeout)").description)
        case .failure(let failure):
            switch failure.code {
            case .connectFailed, .tls, .unauthorized, .shuttingDown: return .unreachable(failure)
            default: return .legacy(failure.description)
            }
        case .success(nil):
            return .legacy("no response")
        case .success(let reply?):
            if let facts = DiscoverFacts(reply) { return .modern(facts) }
            return Self.verdict(onError: reply)
        }
    }

    /// A JSON-RPC error to the probe: `-32022` names versions; anything else means the handshake era.
    private static func verdict(onError reply: ServerMessage) -> Verdict {
        guard reply.envelope.isError,
              Envelope.number(atPath: ["error", "code"], in: reply.bytes) == UnsupportedVersion.code,
              let supported = UnsupportedVersion.supported(in: reply.bytes) else {
            return .legacy(reply.envelope.isError ? "error reply" : "not a discover result")
        }
        if let mutual = ProtocolVersions.modern.last(where: supported.contains) { return .retry(mutual) }
        if !supported.isEmpty, !supported.contains(where: ProtocolVersions.isHandshake) {
            return .incompatible(supported)
        }
        return .legacy("-32022 without a modern version")
    }
}

/// The 2026-07-28 `UnsupportedProtocolVersion` error and the versions it names.
enum UnsupportedVersion {
    static let code = -32022

    /// `error.data.supported`, when it is an array (of strings; other elements are skipped).
    static func supported(in message: [UInt8]) -> [String]? {
        guard let list = try? JSONScanner.value(atPath: ["error", "data", "supported"], in: message),
              list.kind == .array else { return nil }
        return ((try? JSONScanner.elements(of: list.range, in: message)) ?? []).compactMap {
            $0.kind == .string ? try? JSONScanner.string(at: $0.range, in: message) : nil
        }
    }
}
