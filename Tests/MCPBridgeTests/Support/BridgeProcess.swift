import Foundation

/// The built `mcp-bridge` binary driven exactly as a desktop host drives it: lines in on stdin, lines out on stdout.
final class BridgeProcess: @unchecked Sendable {
    let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    let stdout: PipeReader
    let stderr: PipeReader

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        process.configureBridge(arguments, environment: environment, stdin: stdinPipe, stdout: stdoutPipe,
                                stderr: stderrPipe)
        stdout = PipeReader(stdoutPipe.fileHandleForReading)
        stderr = PipeReader(stderrPipe.fileHandleForReading)
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    func send(_ line: String) throws {
        try sendRaw(Data((line + "\n").utf8))
    }

    func sendRaw(_ data: Data) throws {
        try stdinPipe.fileHandleForWriting.write(contentsOf: data)
    }

    func closeStdin() throws {
        try stdinPipe.fileHandleForWriting.close()
    }

    /// The next stdout line; fails the test if none arrives in time.
    func readLine(timeout: Duration = .seconds(60)) async throws -> String {
        guard let line = try await stdout.nextLine(timeout: timeout) else {
            throw TestFailure("stdout closed; stderr: \(stderr.text)")
        }
        return line
    }

    /// The next stdout line parsed as a JSON object.
    func readMessage(timeout: Duration = .seconds(60)) async throws -> [String: Any] {
        let line = try await readLine(timeout: timeout)
        guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure("not a JSON object: \(line)")
        }
        return object
    }

    /// Reads lines until the response with `id` arrives; returns it and everything that came before it.
    func readResponse(id: Int, timeout: Duration = .seconds(60)) async throws -> (response: [String: Any],
                                                                                before: [[String: Any]]) {
        var before: [[String: Any]] = []
        while true {
            let message = try await readMessage(timeout: timeout)
            if (message["id"] as? Int) == id, message["method"] == nil { return (message, before) }
            before.append(message)
        }
    }

    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        guard let status = try await process.exitStatus(within: timeout) else {
            throw TestFailure("bridge did not exit; stderr: \(stderr.text)")
        }
        return status
    }
}

extension [String: Any] {
    var errorCode: Int? { (self["error"] as? [String: Any])?["code"] as? Int }
    var errorMessage: String? { (self["error"] as? [String: Any])?["message"] as? String }
    var errorData: [String: Any]? { (self["error"] as? [String: Any])?["data"] as? [String: Any] }
    var result: [String: Any]? { self["result"] as? [String: Any] }
}
