import BridgeHTTP
import BridgeRuntime

extension SessionChannel {
    /// Keeps waiting for a response whose POST stream the server closed after an event id (2025-11-25 polling):
    /// GET with `Last-Event-ID`, a bounded number of times without progress.
    ///
    /// Each resume waits at least `resumeBackoff`'s delay, which doubles until a resume delivers a message: the
    /// server's `retry` can lengthen the wait, never shorten it, so `retry: 0` with a new event id each time (fake
    /// progress) cannot make a busy loop.
    func resume(after lastEventID: String, retry: Int?, answering request: HostRequest,
                onMessage: ReplyHandler) async throws -> Bool {
        var cursor = lastEventID
        var serverRetry = retry.map { Duration.milliseconds($0) }
        var backoff = Self.resumeBackoff
        var attemptsWithoutProgress = 0
        while attemptsWithoutProgress < 5 && isOwed(request.id) {
            try await Task.sleep(for: backoff.next(honouring: serverRetry ?? .seconds(1)))
            attemptsWithoutProgress += 1
            var answered = false
            var delivered = false
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
                        delivered = true
                        if try await onMessage($0) { answered = true }
                    }
                }
            } catch where !headArrived {
                return false
            }
            guard let summary else { return false }
            if answered { return true }
            if delivered { backoff.reset() }
            if let next = summary.lastEventID, next != cursor {
                cursor = next
                attemptsWithoutProgress = 0
            }
            serverRetry = summary.retry.map { .milliseconds($0) } ?? serverRetry
        }
        return false
    }

    /// 100 ms doubling to 30 s between resumes that deliver nothing.
    static var resumeBackoff: Backoff { Backoff(initial: .milliseconds(100), maximum: .seconds(30)) }
}
