/// What the layers of a pipeline need to know about an exchange besides the request itself.
///
/// A value the caller fills in; it knows no MCP, only what the exchange is for and whether repeating it is safe.
package struct ExchangeContext: Sendable {
    /// What the exchange carries, for logs: a method name, "GET stream", "DELETE session".
    package var label: String
    /// The caller's own id for what it sends, for logs (a JSON-RPC request id, say); nil when there is none. Kept as
    /// the value, not its text: it is rendered only when a line is actually logged.
    package var requestID: (any CustomStringConvertible & Sendable)?
    /// Whether a failed attempt may be sent again at all (a notification or a probe is sent once).
    package var mayRetry: Bool
    /// Whether sending the request twice is harmless; asked only after a failure that may have reached the server
    /// (answering can mean a scan of the request, so it is not paid on the usual path).
    package var isRepeatable: @Sendable () -> Bool
    /// Logged as a warning on each retry instead of the usual debug line: a retry the user should hear about.
    package var retryWarning: String?
    /// Counts attempts and keeps the last status for the caller's timing record; nil (the usual case) costs one
    /// nil check per layer.
    package var tally: ExchangeTally?

    package init(label: String, requestID: (any CustomStringConvertible & Sendable)? = nil, mayRetry: Bool = false,
                 isRepeatable: @escaping @Sendable () -> Bool = { false }, retryWarning: String? = nil,
                 tally: ExchangeTally? = nil) {
        self.tally = tally
        self.label = label
        self.requestID = requestID
        self.mayRetry = mayRetry
        self.isRepeatable = isRepeatable
        self.retryWarning = retryWarning
    }
}
