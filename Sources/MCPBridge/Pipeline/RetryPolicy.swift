import BridgeRuntime

/// When a failed request is sent again, and after how long.
///
/// Designed for stateless replicas behind a load balancer, replaced one by one on every deploy:
/// - A request that cannot have reached a server (connection refused or timed out, 503 or 429) is always re-sent.
/// - A request that may have reached one (reset after connecting, 502, 504, a reply stream cut short) is re-sent
///   only if repeating it cannot have side effects: `initialize`, `ping`, every `*/list`, `resources/read`,
///   `prompts/get`, `completion/complete`, `server/discover`, `subscriptions/listen`, and a `tools/call` whose
///   tool is annotated `readOnlyHint` or `idempotentHint`. Anything else gets an "outcome unknown" error
///   instead of running twice.
/// Each retry waits an exponential backoff with jitter (or the server's `Retry-After`, capped) on a fresh
/// connection, within `--retries` attempts and a total time budget.
struct RetryPolicy: Sendable {
    var maxRetries: Int
    var budget: Duration
    /// 200 ms doubling to 5 s, with jitter.
    var backoff = Backoff(initial: .milliseconds(200), maximum: .seconds(5), jitter: true)

    static let safeMethods: Set<String> = [
        "initialize", "ping", "tools/list", "resources/list", "resources/templates/list", "prompts/list",
        "resources/read", "prompts/get", "completion/complete", "server/discover", "subscriptions/listen",
    ]

    /// How long to wait before attempt `attempt + 1`, or nil when the failure is final.
    func delay(after error: BridgeError, attempt: Int, elapsed: Duration, repeatable: Bool) -> Duration? {
        guard attempt < maxRetries, Self.isTransient(error) else { return nil }
        guard repeatable || !error.mayHaveReachedServer else { return nil }
        var wait = backoff.delay(forAttempt: attempt)
        if let retryAfter = error.retryAfter { wait = min(max(wait, retryAfter), backoff.maximum * 2) }
        return elapsed + wait <= budget ? wait : nil
    }

    /// Failures that another attempt (another replica, a moment later) may not repeat.
    static func isTransient(_ error: BridgeError) -> Bool {
        switch error.code {
        case .connectFailed, .streamEnded: true
        case .httpStatus: [429, 502, 503, 504].contains(error.httpStatus ?? 0)
        default: false
        }
    }
}
