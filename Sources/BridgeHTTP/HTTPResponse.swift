/// A response as its one reader sees it: the head at once, the body chunk by chunk.
///
/// Chunks are acknowledged once processed (`acknowledge`), which is what lets a transfer paused for backpressure
/// resume; dropping the response before the end aborts the transfer.
package struct HTTPResponse: Sendable {
    package let head: HTTPResponseHead
    private var events: TransferEvents.Iterator
    private let acknowledgement: @Sendable (Int) -> Void

    init(head: HTTPResponseHead, events: TransferEvents.Iterator, acknowledge: @escaping @Sendable (Int) -> Void) {
        self.head = head
        self.events = events
        self.acknowledgement = acknowledge
    }

    /// A response that is already complete, for clients that do not go to the network (tests' fake clients).
    package init(status: Int, headers: [(name: String, value: String)] = [], body: [[UInt8]] = []) {
        let channel = TransferChannel(onCancel: {})
        for chunk in body { channel.yield(.body(chunk)) }
        channel.finish()
        self.init(head: HTTPResponseHead(status: status, httpVersion: "1.1", headers: headers),
                  events: channel.makeStream().makeAsyncIterator(), acknowledge: { _ in })
    }

    package var status: Int { head.status }

    /// The next body chunk, nil at the end of the body.
    package mutating func nextChunk() async throws(HTTPClientError) -> [UInt8]? {
        do {
            while let event = try await events.next() {
                if case .body(let chunk) = event { return chunk }
            }
            return nil
        } catch let error as CurlError {
            throw HTTPClientError(transfer: error)
        } catch {
            throw HTTPClientError(transfer: CurlError(aborted: "\(error)"))
        }
    }

    /// Reports `count` bytes of the chunks read as processed.
    package func acknowledge(_ count: Int) {
        acknowledgement(count)
    }

    /// Reads a (small) body whole; bytes past `limit` are read and dropped so the connection stays reusable. A body
    /// cut short is returned as far as it came: callers want it for an excerpt, the status is what matters.
    package mutating func collect(upTo limit: Int) async -> [UInt8] {
        var body: [UInt8] = []
        while let chunk = try? await nextChunk() {
            if body.count < limit { body.append(contentsOf: chunk.prefix(limit - body.count)) }
            acknowledge(chunk.count)
        }
        return body
    }
}
