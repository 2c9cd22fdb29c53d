import Foundation

/// The 2024-11-05 HTTP+SSE test server (`Tests/Servers/legacy_sse_server.py`, the official SDK's FastMCP 1.x).
///
/// mcp 1.x cannot share a venv with the 2.x the other servers use, so it runs from its own interpreter:
/// `MCP_BRIDGE_LEGACY_PYTHON` (set by `make test`), else `.venv-legacy` at the repository root (`make deps`).
extension TestEnvironment {
    static var legacyPython: String {
        ProcessInfo.processInfo.environment["MCP_BRIDGE_LEGACY_PYTHON"]
            ?? repository.appendingPathComponent(".venv-legacy/bin/python").path
    }
}

extension ServerProcess {
    /// A FastMCP 1.x server: `sse` serves GET /sse + POST /messages/, `streamable-http` serves /mcp.
    static func legacy(transport: String = "sse", port: Int = 0, name: String = "legacy") async throws
        -> ServerProcess
    {
        try await ServerProcess(script: "legacy_sse_server.py",
                                arguments: ["--transport", transport, "--port", "\(port)", "--name", name],
                                python: TestEnvironment.legacyPython)
    }

    /// Starts the server again on `port` once the previous process has let go of it (a restart in place, as a
    /// deploy would do): retried for a few seconds while the old socket is still closing.
    static func legacyRestarted(on port: Int, name: String) async throws -> ServerProcess {
        var lastError: (any Error)?
        for _ in 0..<20 {
            do {
                return try await legacy(port: port, name: name)
            } catch {
                lastError = error
                try await Task.sleep(for: .milliseconds(250))
            }
        }
        throw lastError ?? TestFailure("could not restart the legacy server on port \(port)")
    }

    /// Stops the server and waits until the process is gone.
    func stopAndWait(timeout: Duration = .seconds(30)) async throws {
        stop()
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            guard ContinuousClock.now < deadline else { throw TestFailure("the server did not exit") }
            try await Task.sleep(for: .milliseconds(20))
        }
    }
}

/// One FastMCP 1.x SSE server shared by the tests that do not stop it.
enum SharedLegacyServer {
    static let sse = Task { try await ServerProcess.legacy(name: "shared-legacy") }
}
