/// The driver is the client at the bottom of every pipeline: it waits for the head, then lends the body to the
/// reader.
extension CurlDriver: HTTPClient {
    package func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        let transfer = start(request)
        var events = transfer.events.makeAsyncIterator()
        var response = HTTPResponse(head: try await Self.head(of: &events), events: events,
                                    acknowledge: transfer.acknowledge)
        return try await reading(&response)
    }

    private static func head(of events: inout TransferEvents.Iterator) async throws -> HTTPResponseHead {
        do {
            while let event = try await events.next() {
                if case .head(let head) = event { return head }
            }
        } catch let error as CurlError {
            throw HTTPClientError(transfer: error)
        }
        try Task.checkCancellation()
        throw HTTPClientError.closedBeforeHead
    }
}
