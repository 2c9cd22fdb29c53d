import BridgeWire
import Synchronization

/// What a 2025-era host told the bridge in `initialize` (and later), turned into the `_meta` members a 2026-07-28
/// server needs on every request.
///
/// Legacy hosts state their capabilities and identity once, per connection; modern servers want them on every
/// request. The host's own JSON for both is kept verbatim and copied into each request, so the server sees exactly
/// what the host declared.
final class HostProfile: Sendable {
    private struct State {
        var requestedVersion = ProtocolVersions.latestHandshake
        var capabilities = "{}"
        var clientInfo: String?
        /// Set by the host's `logging/setLevel`. Until then `debug`: a 2025 server sends whatever it logs unless
        /// the client sets a level, while a 2026-07-28 server sends nothing without one, so the lowest level is
        /// what keeps the host's view unchanged.
        var logLevel = "debug"
        /// `resources/subscribe` URIs, carried by the bridge's `subscriptions/listen`.
        var subscriptions: Set<String> = []
    }

    private let state = Mutex(State())

    /// Records the host's `initialize` parameters.
    func adopt(initialize bytes: [UInt8]) {
        func raw(_ path: [String], _ kind: JSONValueKind) -> String? {
            guard let value = try? JSONScanner.value(atPath: path, in: bytes), value.kind == kind else { return nil }
            return String(decoding: bytes[value.range], as: UTF8.self)
        }
        let version = Envelope.string(atPath: ["params", "protocolVersion"], in: bytes)
        state.withLock { state in
            if let version { state.requestedVersion = version }
            state.capabilities = raw(["params", "capabilities"], .object) ?? "{}"
            state.clientInfo = raw(["params", "clientInfo"], .object)
        }
    }

    /// The version to answer the host's `initialize` with: its own when the bridge knows that version's rules,
    /// else the newest handshake version (the host then decides whether it can continue, as the spec says).
    var negotiatedVersion: String {
        let requested = state.withLock { $0.requestedVersion }
        return ProtocolVersions.isHandshake(requested) ? requested : ProtocolVersions.latestHandshake
    }

    func setLogLevel(_ level: String) {
        state.withLock { $0.logLevel = level }
    }

    /// Adds or removes a resource subscription; true when the set changed.
    func subscription(_ uri: String, subscribe: Bool) -> Bool {
        state.withLock { state in
            subscribe ? state.subscriptions.insert(uri).inserted : state.subscriptions.remove(uri) != nil
        }
    }

    var subscriptions: [String] { state.withLock { $0.subscriptions.sorted() } }

    /// The `_meta` members (without braces) for one request at `version`.
    func metaMembers(version: String) -> String {
        let state = state.withLock { $0 }
        var text = JSONString.quote(ProtocolVersions.MetaKey.protocolVersion) + ":" + JSONString.quote(version)
        text += "," + JSONString.quote(ProtocolVersions.MetaKey.clientCapabilities) + ":" + state.capabilities
        if let clientInfo = state.clientInfo {
            text += "," + JSONString.quote(ProtocolVersions.MetaKey.clientInfo) + ":" + clientInfo
        }
        text += "," + JSONString.quote(ProtocolVersions.MetaKey.logLevel) + ":" + JSONString.quote(state.logLevel)
        return text
    }
}
