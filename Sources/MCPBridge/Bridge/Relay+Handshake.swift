import Logging
import BridgeWire
import BridgeHTTP

extension Relay {
    /// Re-runs the host's cached `initialize` and `notifications/initialized` to obtain a fresh session, without
    /// writing anything to stdout: the host keeps the session it believes it has.
    func handshake(initialize: [UInt8], initialized: [UInt8]?) async throws(BridgeError)
        -> (sessionID: String?, protocolVersion: String?)
    {
        do {
            let fresh = SessionState.Snapshot(sessionID: nil, protocolVersion: nil, generation: -1)
            let post = endpoint.post(initialize, session: fresh, timeout: .seconds(30))
            let (sessionID, version) = try await endpoint.send(post, ExchangeContext(label: "initialize (replayed)")) {
                response in
                guard (200..<300).contains(response.status), let format = ReplyReader.format(of: response.head) else {
                    throw BridgeError.httpStatus(response.status, body: await response.collect(upTo: 4096))
                }
                var version: String?
                var succeeded = false
                _ = try await reader.read(format, from: &response) { message in
                    guard message.envelope.kind == .response else { return }
                    succeeded = !message.envelope.isError
                    version = message.envelope.result.flatMap {
                        Envelope.string(atPath: ["protocolVersion"], in: message.bytes, root: $0)
                    }
                }
                guard succeeded else {
                    throw BridgeError(.sessionExpired, "the server refused the replayed initialize")
                }
                return (response.head.value(for: HeaderName.sessionID), version)
            }
            if let initialized {
                let renewed = SessionState.Snapshot(sessionID: sessionID, protocolVersion: version, generation: -1)
                let notify = endpoint.post(initialized, session: renewed, timeout: .seconds(30))
                try await endpoint.send(notify, ExchangeContext(label: "notifications/initialized (replayed)")) {
                    _ = await $0.collect(upTo: 0)
                }
            }
            logger.debug("session re-established", metadata: ["mcp.protocol_version": "\(version ?? "-")"])
            return (sessionID, version)
        } catch let error as BridgeError {
            throw error
        } catch {
            throw BridgeError(.sessionExpired, "re-initializing the session failed: \(error)")
        }
    }
}
