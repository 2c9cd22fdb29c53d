import Foundation

/// A loopback test server (the official Python SDK, our fault server, or nginx) run as a child process.
///
/// Each prints `LISTENING <port>` once it accepts connections. Its stdin is a pipe from this process: the servers
/// exit when it closes, so nothing outlives a crashed or finished test run.
final class ServerProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let stdinPipe = Pipe()
    private let stdout: PipeReader
    private let stderr: PipeReader

    /// `python` runs the script; the 2024-11-05 SSE server needs `TestEnvironment.legacyPython` (mcp 1.x).
    init(script: String, arguments: [String], python: String = TestEnvironment.python) async throws {
        _ = TestEnvironment.ignoreSIGPIPE
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u", TestEnvironment.serverScript(script)] + arguments
        var environment = ProcessInfo.processInfo.environment
        environment["MCP_TEST_LIFELINE"] = "1"
        process.environment = environment
        process.standardInput = stdinPipe
        process.standardOutput = stdoutPipe
        process.standardError = stderrPipe
        stdout = PipeReader(stdoutPipe.fileHandleForReading)
        stderr = PipeReader(stderrPipe.fileHandleForReading)
        try process.run()
        var found: Int?
        while found == nil {
            guard let line = try await stdout.nextLine(timeout: .seconds(90)) else {
                throw TestFailure("\(script) exited before listening: \(stderr.text)")
            }
            if line.hasPrefix("LISTENING ") { found = Int(line.dropFirst("LISTENING ".count)) }
        }
        port = found ?? 0
    }

    deinit { stop() }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    func stop() {
        if process.isRunning { process.terminate() }
    }

    var log: String { stderr.text }
}

/// Servers shared by many tests: started once per test process, on first use.
enum SharedServers {
    static let fault = Task { try await ServerProcess(script: "fault_server.py", arguments: ["--port", "0"]) }
    static let stateless = Task {
        try await ServerProcess(script: "mcp_server.py", arguments: ["--mode", "stateless", "--port", "0",
                                                                     "--name", "stateless"])
    }
    static let stateful = Task {
        try await ServerProcess(script: "mcp_server.py", arguments: ["--mode", "stateful", "--port", "0",
                                                                     "--name", "stateful"])
    }

    static let mcpPath = "/ossserver-stateless/ossmcp"
}
