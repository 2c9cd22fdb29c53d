import BridgeHTTP
import BridgeRuntime
import Logging

/// Sends a failed exchange again when `RetryPolicy` allows it, on a fresh connection, after its backoff.
///
/// Only exchanges whose context says `mayRetry` are repeated. The last failure is thrown as it was: the caller
/// words it (an "outcome unknown" error for a request that may have run).
struct RetryMiddleware<Next: HTTPClient>: HTTPClient {
    let next: Next
    let policy: RetryPolicy
    let logger: Logger

    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        guard context.mayRetry else { return try await next.send(request, context: context, reading: reading) }
        let started = ContinuousClock.now
        var attempt = 0
        var request = request
        while true {
            do {
                return try await next.send(request, context: context, reading: reading)
            } catch let error as BridgeError {
                // Asked only on failure: it may scan the request for the tool it calls.
                guard let delay = policy.delay(after: error, attempt: attempt, elapsed: ContinuousClock.now - started,
                                               repeatable: context.isRepeatable()) else { throw error }
                let metadata: Logger.Metadata = [
                    "mcp.id": "\(context.requestID ?? "-")", "retry.attempt": "\(attempt + 1)",
                    "retry.delay_ms": "\(delay.milliseconds)", "error.code": "\(error.code.rawValue)",
                ]
                if let warning = context.retryWarning {
                    logger.warning("\(warning)", metadata: metadata)
                } else {
                    logger.debug("retrying", metadata: metadata)
                }
                try await Task.sleep(for: delay)
                attempt += 1
                request.freshConnection = true
            }
        }
    }
}
