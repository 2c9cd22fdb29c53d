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

    @inline(__always)
    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        context.tally?.attempted()
        guard context.mayRetry else { return try await next.send(request, context: context, reading: reading) }
        let started = ContinuousClock.now
        do {
            return try await next.send(request, context: context, reading: reading)
        } catch let error as BridgeError {
            return try await retry(request, after: error, started: started, context: context, reading: reading)
        }
    }

    /// The slow path, apart so that the usual exchange's async frame stays small (it lives as long as the call).
    private func retry<Reply>(
        _ request: HTTPRequest, after first: BridgeError, started: ContinuousClock.Instant, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        var error = first
        var request = request
        for attempt in 0... {
            // Asked only on failure: it may scan the request for the tool it calls.
            guard let delay = policy.delay(after: error, attempt: attempt, elapsed: ContinuousClock.now - started,
                                           repeatable: context.isRepeatable()) else { throw error }
            let metadata: Logger.Metadata = [
                "mcp.id": "\(context.requestID?.description ?? "-")", "retry.attempt": "\(attempt + 1)",
                "retry.delay_ms": "\(delay.milliseconds)", "error.code": "\(error.code.rawValue)",
            ]
            if let warning = context.retryWarning {
                logger.warning("\(warning)", metadata: metadata)
            } else {
                logger.debug("retrying", metadata: metadata)
            }
            try await Task.sleep(for: delay)
            request.freshConnection = true
            context.tally?.attempted()
            do {
                return try await next.send(request, context: context, reading: reading)
            } catch let failure as BridgeError {
                error = failure
            }
        }
        preconditionFailure("the retries end by returning or throwing")
    }
}
