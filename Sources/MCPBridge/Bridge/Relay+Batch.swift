import BridgeWire
import BridgeHTTP
extension Relay {
    /// Relays a host batch (2025-03-26) as one POST; any request the reply leaves unanswered gets an error.
    func relayBatch(_ message: [UInt8], ids: [RequestID]) async {
        do {
            if let legacy = try await transports.legacy(for: self) {
                return await relayBatchOverSSE(message, ids: ids, on: legacy)
            }
        } catch {
            for id in ids { await answer(id, with: error as? BridgeError ?? .connectFailed("\(error)")) }
            return
        }
        let snapshot = await session.snapshot()
        let transfer = endpoint.post(message, session: snapshot, timeout: requestTimeout)
        var events = transfer.events.makeAsyncIterator()
        var failure: BridgeError?
        do {
            let head = try await Self.head(of: &events, requestTimeout: requestTimeout)
            if (200..<300).contains(head.status), let format = ReplyReader.format(of: head) {
                _ = try await reader.read(format, from: &events, acknowledge: transfer.acknowledge) {
                    await route($0)
                }
            } else if !(200..<300).contains(head.status) {
                failure = .httpStatus(head.status, body: try await Self.collect(&events, limit: 1 << 20))
            }
        } catch let error as BridgeError {
            failure = error
        } catch let error as CurlError {
            failure = .transport(error, requestTimeout: requestTimeout)
        } catch {
            return
        }
        let fallback = failure ?? BridgeError(.streamEnded, "the server's reply to the batch had no response "
            + "for this request")
        for id in ids { await answer(id, with: fallback) }
    }
}
