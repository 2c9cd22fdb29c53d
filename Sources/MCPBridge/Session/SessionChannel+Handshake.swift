import BridgeHTTP
import BridgeWire
import Logging

extension SessionChannel {
    /// Re-runs the host's cached `initialize` and `notifications/initialized` to obtain a fresh session, without
    /// writing anything to stdout: the host keeps the session it believes it has.
    func handshake(initialize: [UInt8], initialized: [UInt8]?) async throws(BridgeError)
        -> (sessionID: String?, protocolVersion: String?)
    {
        let endpoint = http.endpoint
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
                _ = try await http.reader.read(format, from: &response) { message in
                    guard message.envelope.kind == .response else { return }
                    succeeded = !message.envelope.isError
                    version = message.envelope.result.flatMap {
                        Envelope.string(atPath: ["protocolVersion"], in: message.bytes, root: $0)
                    }
                }
                guard succeeded else {
                    throw BridgeError(.sessionExpired, "the server refused the replayed initialize")
                }
                return (try ServerHeaderValue.sessionID(response.head.value(for: HeaderName.sessionID)), version)
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

    /// Re-reads the server's tool list (all pages) on the host's behalf, with the host's own `_meta`, so the
    /// cached `x-mcp-header` schemas match the server's. Nothing reaches stdout.
    func refreshToolHeaders(for request: HostRequest, modern: ModernRequest) async {
        let meta = String(decoding: request.bytes[modern.meta], as: UTF8.self)
        var cursor: String?
        for page in 0..<20 {
            let cursorPart = cursor.map { #","cursor":"# + JSONString.quote($0) } ?? ""
            let text = #"{"jsonrpc":"2.0","id":"mcp-bridge-tools-\#(page)","method":"tools/list","params":{"_meta":"#
                + meta + cursorPart + "}}"
            let bytes = Array(text.utf8)
            guard let envelope = try? Envelope.classify(bytes),
                  let listing = ModernRequest(bytes, envelope: envelope) else { return }
            let post = http.endpoint.post(bytes, session: await session.snapshot(),
                                          extraHeaders: listing.headers(parameters: []), timeout: .seconds(30))
            var next: String?
            do {
                try await http.endpoint.send(post, ExchangeContext(label: "tools/list (header refresh)")) { response in
                    guard (200..<300).contains(response.status), let format = ReplyReader.format(of: response.head)
                    else { return }
                    _ = try await http.reader.read(format, from: &response) { message in
                        guard message.envelope.kind == .response, !message.envelope.isError else { return }
                        http.tools.learnHeaders(from: message)
                        next = message.envelope.result.flatMap {
                            Envelope.string(atPath: ["nextCursor"], in: message.bytes, root: $0)
                        }
                    }
                }
            } catch {
                logger.debug("refreshing the tool list failed", metadata: ["error": "\(error)"])
                return
            }
            guard let next else { return }
            cursor = next
        }
    }

    /// Ends the session on the server so it can free it at once (405: it keeps sessions until they expire).
    func end() async {
        let snapshot = await session.snapshot()
        guard snapshot.sessionID != nil else { return }
        let status = await http.delete(session: snapshot)
        logger.debug("session deleted", metadata: ["http.status": "\(status.map(String.init) ?? "-")"])
    }
}
