/// A running transfer as its consumer sees it.
package struct TransferStream: Sendable {
    package let events: TransferEvents
    /// Report body bytes as processed, so a transfer paused for backpressure can resume.
    package let acknowledge: @Sendable (Int) -> Void
}

/// What a running transfer reports, in order: exactly one `.head`, then zero or more `.body` chunks.
package enum TransferEvent: Sendable {
    case head(HTTPResponseHead)
    case body([UInt8])
}
