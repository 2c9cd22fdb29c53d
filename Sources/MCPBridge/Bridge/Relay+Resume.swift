import BridgeHTTP
extension Relay {
    /// Keeps waiting for a response whose POST stream the server closed after an event id (2025-11-25 polling):
    /// GET with `Last-Event-ID`, honouring `retry`, a bounded number of times without progress.
    func resume(_ request: HostRequest, after lastEventID: String, retry: Int?) async throws -> Bool {
        var cursor = lastEventID
        var delay = retry ?? 1000
        var attemptsWithoutProgress = 0
        while attemptsWithoutProgress < 5 && inFlightContains(request.id) {
            try await Task.sleep(for: .milliseconds(min(delay, 30_000)))
            attemptsWithoutProgress += 1
            let transfer = endpoint.listen(session: await session.snapshot(), lastEventID: cursor)
            var events = transfer.events.makeAsyncIterator()
            guard let head = try? await Self.head(of: &events), head.status == 200,
                  ReplyReader.format(of: head) == .eventStream else { return false }
            var answered = false
            let summary = try await reader.read(.eventStream, from: &events, acknowledge: transfer.acknowledge) {
                if await route($0, answering: request, head: head) { answered = true }
            }
            if answered { return true }
            if let next = summary.lastEventID, next != cursor {
                cursor = next
                attemptsWithoutProgress = 0
            }
            delay = summary.retry ?? delay
        }
        return false
    }
}
