import Logging
import BridgeWire
import BridgeHTTP

extension Relay {
    /// POSTs a host notification; the server should answer 202. Failures are logged, never written to stdout.
    func relayNotification(_ message: [UInt8], method: String) async {
        await relayOneWay(message, what: method)
    }

    /// POSTs the host's answer to a server request (elicitation, sampling, roots, ping).
    func relayResponse(_ message: [UInt8], id: RequestID?) async {
        await relayOneWay(message, what: "response \(id.map { "\($0)" } ?? "null")")
    }

    /// Returns the HTTP status (nil when the server was unreachable), so callers can react to acceptance.
    @discardableResult
    func relayOneWay(_ message: [UInt8], what: String, mayRenewSession: Bool = true) async -> Int? {
        do {
            if let legacy = try await transports.legacy(for: self) {
                return await relayOneWayOverSSE(message, what: what, on: legacy)
            }
        } catch {
            logger.warning("could not deliver a message to the server", metadata: [
                "mcp.message": "\(what)", "error": "\(error)",
            ])
            return nil
        }
        let snapshot = await session.snapshot()
        let post = endpoint.post(message, session: snapshot, timeout: .seconds(30))
        do {
            let status = try await endpoint.send(post, ExchangeContext(label: what)) { response in
                let status = response.status
                if status == 404, snapshot.sessionID != nil, mayRenewSession { return status }
                if (200..<300).contains(status), let format = ReplyReader.format(of: response.head) {
                    // Unusual but allowed: the server may answer a notification with messages of its own.
                    _ = try await reader.read(format, from: &response) { await route($0) }
                } else if status >= 300 {
                    let body = await response.collect(upTo: 4096)
                    logger.warning("the server rejected a message", metadata: [
                        "mcp.message": "\(what)", "http.status": "\(status)", "body": "\(excerpt(body))",
                    ])
                }
                return status
            }
            guard status == 404, snapshot.sessionID != nil, mayRenewSession else { return status }
            try await session.renew(expired: snapshot) { initialize, initialized throws(BridgeError) in
                try await self.handshake(initialize: initialize, initialized: initialized)
            }
            return await relayOneWay(message, what: what, mayRenewSession: false)
        } catch {
            logger.warning("could not deliver a message to the server", metadata: [
                "mcp.message": "\(what)", "error": "\(error)",
            ])
            return nil
        }
    }
}
