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
            let transfer = endpoint.post(initialize, session: fresh, timeout: .seconds(30))
            var events = transfer.events.makeAsyncIterator()
            let head = try await Self.head(of: &events)
            guard (200..<300).contains(head.status), let format = ReplyReader.format(of: head) else {
                let body = try await Self.collect(&events, limit: 4096)
                throw BridgeError.httpStatus(head.status, body: body)
            }
            var version: String?
            var succeeded = false
            _ = try await reader.read(format, from: &events, acknowledge: transfer.acknowledge) { message in
                guard message.envelope.kind == .response else { return }
                succeeded = !message.envelope.isError
                version = message.envelope.result.flatMap {
                    Envelope.string(atPath: ["protocolVersion"], in: message.bytes, root: $0)
                }
            }
            guard succeeded else {
                throw BridgeError(.sessionExpired, "the server refused the replayed initialize")
            }
            let sessionID = head.value(for: HeaderName.sessionID)
            if let initialized {
                let renewed = SessionState.Snapshot(sessionID: sessionID, protocolVersion: version, generation: -1)
                let notify = endpoint.post(initialized, session: renewed, timeout: .seconds(30))
                var notifyEvents = notify.events.makeAsyncIterator()
                _ = try await Self.head(of: &notifyEvents)
                _ = try await Self.collect(&notifyEvents, limit: 0)
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
