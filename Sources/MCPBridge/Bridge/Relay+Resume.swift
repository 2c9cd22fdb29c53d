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
            let get = endpoint.listen(session: await session.snapshot(), lastEventID: cursor)
            let context = ExchangeContext(label: "GET resume", requestID: "\(request.id)")
            var answered = false
            var headArrived = false  // a GET that fails before its head ends the resume; a broken stream is thrown
            let summary: ReplySummary?
            do {
                summary = try await endpoint.send(get, context) { response in
                    headArrived = true
                    let head = response.head
                    guard head.status == 200, ReplyReader.format(of: head) == .eventStream else { return nil }
                    return try await reader.read(.eventStream, from: &response) {
                        if await route($0, answering: request, head: head) { answered = true }
                    }
                }
            } catch where !headArrived {
                return false
            }
            guard let summary else { return false }
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
