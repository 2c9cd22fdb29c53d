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
        let post = endpoint.post(message, session: snapshot, timeout: requestTimeout)
        var failure: BridgeError?
        do {
            try await endpoint.send(post, ExchangeContext(label: "batch")) { response in
                if (200..<300).contains(response.status), let format = ReplyReader.format(of: response.head) {
                    _ = try await reader.read(format, from: &response) { await route($0) }
                } else if !(200..<300).contains(response.status) {
                    failure = .httpStatus(response.status, body: await response.collect(upTo: 1 << 20))
                }
            }
        } catch let error as BridgeError {
            failure = error
        } catch {
            return
        }
        let fallback = failure ?? BridgeError(.streamEnded, "the server's reply to the batch had no response "
            + "for this request")
        for id in ids { await answer(id, with: fallback) }
    }
}
