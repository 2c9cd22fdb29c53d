import Logging

/// The stdio ⇄ Streamable HTTP relay. (Stub: the core lands in a later commit.)
public final class Bridge: Sendable {
    let configuration: BridgeConfiguration
    let logger: Logger

    public init(configuration: BridgeConfiguration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Runs until stdin ends (or a signal) and the drain completes; returns the process exit status.
    public func run() async -> Int32 {
        0
    }
}
