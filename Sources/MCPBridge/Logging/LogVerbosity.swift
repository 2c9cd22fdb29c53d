import Logging

/// How much the bridge says on stderr, chosen by `--debug` / `--silent`.
///
/// The product rule: by default one startup line plus warnings and errors (so the bridge logs exactly one line at
/// `.info`, and everything routine at `.debug`); `--debug` adds per-message details; `--silent` keeps only errors,
/// because a failure the user cannot see is worse than a noisy log.
public enum LogVerbosity: Sendable, Hashable {
    case silent
    case normal
    case debug

    /// Resolves the two flags. `--debug` wins over `--silent`, as in mcp-remote where `--silent` hides the normal
    /// lines but debug output still appears: someone who asked for details is debugging.
    public init(debug: Bool, silent: Bool) {
        if debug {
            self = .debug
        } else if silent {
            self = .silent
        } else {
            self = .normal
        }
    }

    /// The lowest level that is written.
    public var logLevel: Logger.Level {
        switch self {
        case .silent: .error
        case .normal: .info
        case .debug: .debug
        }
    }
}
