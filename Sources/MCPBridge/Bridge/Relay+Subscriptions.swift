import Logging
import BridgeRuntime

extension Relay {
    /// A 2026-07-28 `subscriptions/listen`: one long-lived POST whose notifications reach the host as they arrive.
    ///
    /// When the stream drops without a result (a replica restarting, a proxy timing out an idle connection), the
    /// host would only learn of it by silence, so the bridge listens again under the same id, with a backoff
    /// that doubles up to 30 s (back to 1 s after a stream that lived 30 s), and says so on stderr. It ends when
    /// the server sends the listen's result or the host cancels it.
    func relayListen(_ request: HostRequest) async throws {
        var backoff: Duration = .seconds(1)
        while true {
            let started = ContinuousClock.now
            do {
                return try await exchangeOverSelectedTransport(request)
            } catch let error as BridgeError where RetryPolicy.isTransient(error) {
                try Task.checkCancellation()
                if ContinuousClock.now - started >= .seconds(30) { backoff = .seconds(1) }
                logger.warning("subscription stream dropped; listening again", metadata: [
                    "mcp.id": "\(request.id)", "delay_ms": "\(backoff.milliseconds)", "error": "\(error.message)",
                ])
                try await Task.sleep(for: backoff)
                backoff = min(backoff * 2, .seconds(30))
            }
        }
    }
}
