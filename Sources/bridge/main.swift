import ArgumentParser
import MCPBridge

// Top-level code runs on the main thread before anything else: the only place where a signal mask set (the
// shutdown signals unblocked, SIGPIPE ignored) reaches every thread started afterwards (see `ProcessSignals`).
ProcessSignals.prepare()
do {
    var command = try MCPBridgeCommand.parseAsRoot()
    switch command {
    case let relay as RelayCommand: try await relay.execute()
    case let check as CheckCommand: try await check.execute()
    case let login as LoginCommand: try await login.execute()
    case let logout as LogoutCommand: try await logout.execute()
    default: try command.run()
    }
} catch {
    MCPBridgeCommand.exit(withError: error)
}
