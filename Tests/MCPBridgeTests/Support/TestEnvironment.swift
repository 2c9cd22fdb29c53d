import Foundation

/// Where the end-to-end tests find the built binary, the repository and the Python that runs the test servers.
///
/// `make test` sets `MCP_BRIDGE_REPO` and `MCP_BRIDGE_PYTHON`; without them the paths are derived from this file's
/// location, so `swift test` from the repository root works after `make deps`.
enum TestEnvironment {
    static let repository: URL = {
        if let path = ProcessInfo.processInfo.environment["MCP_BRIDGE_REPO"] { return URL(fileURLWithPath: path) }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }()

    static var python: String {
        ProcessInfo.processInfo.environment["MCP_BRIDGE_PYTHON"]
            ?? repository.appendingPathComponent(".venv-test/bin/python").path
    }

    static var bridgeBinary: String {
        if let path = ProcessInfo.processInfo.environment["MCP_BRIDGE_BIN"] { return path }
        return repository.appendingPathComponent(".build/debug/mcp-bridge").path
    }

    /// False under AddressSanitizer (`scripts/sanitize.sh address` sets ASAN_OPTIONS): its shadow memory and
    /// quarantine of freed blocks make RSS say nothing about the bridge's own memory, so RSS bounds are not checked.
    static var measuresMemory: Bool {
        ProcessInfo.processInfo.environment["ASAN_OPTIONS"] == nil
    }

    static func serverScript(_ name: String) -> String {
        repository.appendingPathComponent("Tests/Servers/\(name)").path
    }

    /// Test suites spawn children that may close pipes on us; a write to a closed pipe must not kill the runner.
    static let ignoreSIGPIPE: Void = {
        signal(SIGPIPE, SIG_IGN)
    }()
}

struct TestFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

extension Process {
    /// Configures this process as the built `mcp-bridge`, launched as a host launches it: its three standard
    /// streams on the given pipes, the test's environment plus `environment`.
    func configureBridge(_ arguments: [String], environment: [String: String] = [:], stdin: Pipe, stdout: Pipe,
                         stderr: Pipe) {
        _ = TestEnvironment.ignoreSIGPIPE
        executableURL = URL(fileURLWithPath: TestEnvironment.bridgeBinary)
        self.arguments = arguments
        var merged = ProcessInfo.processInfo.environment
        merged.merge(environment) { _, new in new }
        self.environment = merged
        standardInput = stdin
        standardOutput = stdout
        standardError = stderr
    }
}
