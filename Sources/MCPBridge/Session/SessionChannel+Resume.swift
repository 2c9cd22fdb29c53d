import BridgeHTTP
import BridgeRuntime

extension SessionChannel {
    /// Keeps waiting for a response whose POST stream the server closed after an event id (2025-11-25 polling):
    /// GET with `Last-Event-ID`, honouring `retry`, a bounded number of times without progress.
    func resume(after lastEventID: String, retry: Int?, answering request: HostRequest,
                onMessage: ReplyHandler) async throws -> Bool {
        var cursor = lastEventID
        var delay: Duration = .milliseconds(retry ?? 1000)
        var attemptsWithoutProgress = 0
        while attemptsWithoutProgress < 5 && isOwed(request.id) {
            try await Task.sleep(for: min(delay, .seconds(30)))
            attemptsWithoutProgress += 1
            var answered = false
            var headArrived = false  // a GET that fails before its head ends the resume; a broken stream is thrown
            let summary: ReplySummary?
            do {
                summary = try await http.listen(session: await session.snapshot(), lastEventID: cursor,
                                                label: "GET resume") { response in
                    headArrived = true
                    guard response.status == 200, ReplyReader.format(of: response.head) == .eventStream else {
                        return nil
                    }
                    return try await http.reader.read(.eventStream, from: &response) {
                        if try await onMessage($0) { answered = true }
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
            delay = summary.retry.map { .milliseconds($0) } ?? delay
        }
        return false
    }
}
