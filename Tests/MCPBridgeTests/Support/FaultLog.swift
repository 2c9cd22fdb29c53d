import Dispatch
import Foundation

/// Helpers for the request-lifecycle suites (request flow, cancellation and timeouts, shutdown): a fault server
/// of the test's own and its `/_log`, and a bridge whose stdout nobody reads.
extension ServerProcess {
    /// A fault server for one test alone, so its `/_log` holds only that test's traffic (starts instantly).
    static func ownFaultServer() async throws -> ServerProcess {
        try await ServerProcess(script: "fault_server.py", arguments: ["--port", "0"])
    }

    /// The fault server's `/_log`: requests (`method`, `path`, `query`, `headers`, `body`) and events
    /// (`event`, `path`, ...) in arrival order. Fetched with curl: Foundation's URLSession is not reliable on Linux.
    func faultLog() async throws -> FaultLog {
        let output = try await Self.curl(["-s", "--max-time", "5", url("/_log")])
        guard let entries = try JSONSerialization.jsonObject(with: output) as? [[String: Any]] else {
            throw TestFailure("/_log is not a JSON array: \(String(decoding: output, as: UTF8.self))")
        }
        return FaultLog(entries: entries)
    }

    /// Polls `/_log` until `condition` holds (events such as client-closed are logged asynchronously).
    @discardableResult
    func waitForLog(timeout: Duration = .seconds(30), _ what: String,
                    until condition: (FaultLog) -> Bool) async throws -> FaultLog {
        let deadline = ContinuousClock.now + timeout
        while true {
            let log = try await faultLog()
            if condition(log) { return log }
            guard ContinuousClock.now < deadline else {
                throw TestFailure("fault log never showed \(what) within \(timeout): \(log.entries)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    /// Runs curl off the Swift concurrency pool (the machine has two cores) and returns its stdout.
    static func curl(_ arguments: [String]) async throws -> Data {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                let process = Process()
                let pipe = Pipe()
                process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
                process.arguments = arguments
                process.standardOutput = pipe
                do {
                    try process.run()
                    let data = pipe.fileHandleForReading.readDataToEndOfFile()
                    process.waitUntilExit()
                    guard process.terminationStatus == 0 else {
                        throw TestFailure("curl \(arguments) exited \(process.terminationStatus)")
                    }
                    continuation.resume(returning: data)
                } catch {
                    continuation.resume(throwing: error)
                }
            }
        }
    }
}

/// A snapshot of the fault server's `/_log`.
struct FaultLog {
    let entries: [[String: Any]]

    /// The HTTP requests received (not the events), optionally only those with `method`.
    func requests(method: String? = nil) -> [[String: Any]] {
        entries.filter { $0["event"] == nil && (method == nil || $0["method"] as? String == method) }
    }

    /// The POSTs whose JSON body has this JSON-RPC `method`.
    func posts(ofJSONRPCMethod jsonrpcMethod: String) -> [[String: Any]] {
        requests(method: "POST").filter { $0.jsonBody?["method"] as? String == jsonrpcMethod }
    }

    /// The POST whose JSON body is the request with this id.
    func post(ofRequestID id: Int) -> [String: Any]? {
        requests(method: "POST").first { $0.jsonBody?["id"] as? Int == id && $0.jsonBody?["method"] != nil }
    }

    /// True when a `notifications/cancelled` for `requestID` was POSTed.
    func hasCancellation(of requestID: Int) -> Bool {
        posts(ofJSONRPCMethod: "notifications/cancelled").contains {
            (($0.jsonBody?["params"] as? [String: Any])?["requestId"] as? Int) == requestID
        }
    }

    /// The events named `name` (e.g. "client-closed", "session-deleted"), optionally only those for `path`.
    func events(_ name: String, path: String? = nil) -> [[String: Any]] {
        entries.filter { $0["event"] as? String == name && (path == nil || $0["path"] as? String == path) }
    }
}

extension [String: Any] {
    /// A logged request's header (names are lower-cased by the fault server; repeats joined with ", ").
    func header(_ name: String) -> String? { (self["headers"] as? [String: String])?[name] }

    /// A logged request's body, parsed as a JSON object.
    var jsonBody: [String: Any]? {
        guard let body = self["body"] as? String else { return nil }
        return (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any]
    }
}

/// The bridge launched by a host that never reads its stdout and then closes it.
///
/// `BridgeProcess.closeStdout()` closes a descriptor its reader thread is still blocked on; that thread's next
/// `read` would then hit whatever pipe another test opens under the same number. Here no thread reads stdout.
final class UnreadStdoutBridge: @unchecked Sendable {
    let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    let stderr: PipeReader

    init(_ arguments: [String]) throws {
        process.configureBridge(arguments, stdin: stdinPipe, stdout: stdoutPipe, stderr: stderrPipe)
        stderr = PipeReader(stderrPipe.fileHandleForReading)
        try process.run()
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    func send(_ line: String) throws {
        try stdinPipe.fileHandleForWriting.write(contentsOf: Data((line + "\n").utf8))
    }

    /// The host goes away: the read end of the bridge's stdout is closed, so its next write fails with EPIPE.
    func closeStdout() throws {
        try stdoutPipe.fileHandleForReading.close()
    }

    /// The exit status, or nil if the bridge is still running after `timeout`.
    func exitStatus(within timeout: Duration) async throws -> Int32? {
        try await process.exitStatus(within: timeout)
    }
}

extension BridgeProcess {
    /// Waits for the exit and for stdout and stderr to reach end of file, so their text is complete.
    func waitForExitAndOutput(timeout: Duration = .seconds(60)) async throws -> Int32 {
        let status = try await waitForExit(timeout: timeout)
        let deadline = ContinuousClock.now + .seconds(5)
        while !(stdout.isClosed && stderr.isClosed) && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return status
    }
}
