import BridgeHTTP
extension Relay {
    /// Waits for the response head; transport failures become `BridgeError`s from the documented table.
    /// `requestTimeout` is the limit the transfer ran under, so its expiry maps to -32001 (not "cannot reach").
    static func head(
        of events: inout TransferEvents.Iterator, requestTimeout: Duration? = nil
    ) async throws -> HTTPResponseHead {
        do {
            while let event = try await events.next() {
                if case .head(let head) = event { return head }
            }
        } catch let error as CurlError {
            throw BridgeError.transport(error, requestTimeout: requestTimeout)
        }
        try Task.checkCancellation()
        throw BridgeError(.streamEnded, "the connection closed before the server sent an HTTP response")
    }

    /// Reads a (small) body whole; bytes past `limit` are read and dropped so the connection stays reusable.
    static func collect(
        _ events: inout TransferEvents.Iterator, limit: Int
    ) async throws -> [UInt8] {
        var body: [UInt8] = []
        do {
            while let event = try await events.next() {
                guard case .body(let chunk) = event, body.count < limit else { continue }
                body.append(contentsOf: chunk.prefix(limit - body.count))
            }
        } catch is CurlError {
            // The status is what matters; a body cut short is still worth its excerpt.
        }
        return body
    }
}
