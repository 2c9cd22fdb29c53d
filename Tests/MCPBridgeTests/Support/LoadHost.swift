import Foundation
import Synchronization

/// A host that drives the bridge with many requests (chaos, soak, burst tests): a writer thread keeps at most
/// `window` requests unanswered (or writes them all at once), a reader thread counts every answer per id, and the
/// bridge's RSS and open file descriptors are sampled from /proc while it runs.
final class LoadHost: @unchecked Sendable {
    let process = Process()
    private let stdinPipe = Pipe()
    private let stdoutPipe = Pipe()
    private let stderrPipe = Pipe()
    let stderr: PipeReader
    private let state = Mutex(State())

    struct State {
        var range = 0..<0                   // ids of the current load
        var answers: [Int] = []             // per id in range: answers received
        var answered = 0
        var errors: [Int: Int] = [:]        // code -> count
        var errorIDs: [Int: Int] = [:]      // id -> code
        var errorSamples: [Int: String] = [:]
        var stray = 0                       // lines answering no request we sent
        var others: [Int: Data] = [:]       // answers to requests outside a load (handshake, queries)
        var sentAt: [ContinuousClock.Instant] = []
        var latencies: [Duration] = []
        var window: DispatchSemaphore?
    }

    struct Report: CustomStringConvertible {
        var sent = 0
        var answered = 0
        var answeredTwice = 0
        var hung = 0
        var errors: [Int: Int] = [:]
        var errorIDs: [Int: Int] = [:]
        var errorSamples: [Int: String] = [:]
        var stray = 0
        var elapsed: Duration = .zero
        var maxLatency: Duration = .zero
        var samples: [ProcSample] = []
        var succeeded: Int { answered - errorIDs.count }

        var description: String {
            "sent \(sent), answered \(answered), twice \(answeredTwice), hung \(hung), succeeded \(succeeded), "
                + "errors \(errors), stray \(stray), in \(elapsed), max latency \(maxLatency); "
                + "samples: \(errorSamples)"
        }
    }

    struct ProcSample {
        var answered: Int
        var rssKiB: Int
        var peakKiB: Int
        var fds: Int
    }

    init(_ arguments: [String]) throws {
        process.configureBridge(arguments, stdin: stdinPipe, stdout: stdoutPipe, stderr: stderrPipe)
        stderr = PipeReader(stderrPipe.fileHandleForReading)
        try process.run()
        let fd = stdoutPipe.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [self] in readLoop(fd) }
    }

    deinit {
        if process.isRunning { process.terminate() }
    }

    var pid: Int32 { process.processIdentifier }

    private func readLoop(_ fd: Int32) {
        var pending: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            pending.append(contentsOf: chunk[0..<n])
            var start = 0
            while let newline = pending[start...].firstIndex(of: 0x0A) {
                handle(line: Data(pending[start..<newline]))
                start = newline + 1
            }
            pending.removeFirst(start)
        }
    }

    private func handle(line: Data) {
        let now = ContinuousClock.now
        guard let message = (try? JSONSerialization.jsonObject(with: line)) as? [String: Any],
              message["method"] == nil, let id = message["id"] as? Int else {
            state.withLock { $0.stray += 1 }
            return
        }
        let release = state.withLock { state -> DispatchSemaphore? in
            guard state.range.contains(id) else {
                if state.others[id] == nil { state.others[id] = line } else { state.stray += 1 }
                return nil
            }
            let index = id - state.range.lowerBound
            state.answers[index] += 1
            guard state.answers[index] == 1 else { return nil }
            state.answered += 1
            state.latencies.append(now - state.sentAt[index])
            if let code = message.errorCode {
                state.errors[code, default: 0] += 1
                state.errorIDs[id] = code
                if state.errorSamples[code] == nil { state.errorSamples[code] = message.errorMessage ?? "" }
            }
            return state.window
        }
        release?.signal()
    }

    /// Writes one line and waits for the answer with `id` (outside any load).
    func call(_ line: String, id: Int, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        try write(Array((line + "\n").utf8))
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let line = state.withLock({ $0.others.removeValue(forKey: id) }) {
                return try JSONSerialization.jsonObject(with: line) as? [String: Any] ?? [:]
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        throw TestFailure("no answer to id \(id); stderr: \(stderr.text.suffix(2000))")
    }

    func handshake() async throws {
        let initialize = try await call(Messages.initialize(id: 0), id: 0)
        guard initialize.result != nil else { throw TestFailure("initialize failed: \(initialize)") }
        try write(Array((Messages.initialized + "\n").utf8))
    }

    func write(_ bytes: [UInt8]) throws {
        let fd = stdinPipe.fileHandleForWriting.fileDescriptor
        var offset = 0
        while offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Foundation.write(fd, $0.baseAddress, $0.count) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw TestFailure("write to the bridge's stdin failed: errno \(errno)") }
            offset += n
        }
    }

    /// Sends `count` requests with ids `firstID…` (`line(id)` makes each) keeping at most `window` unanswered, or
    /// all as fast as the pipe takes them when `window` is nil; returns when all are answered or at `deadline`.
    /// `interval` paces the writer (at most one request per interval), so a load lasts long enough for chaos.
    func run(count: Int, firstID: Int = 1, window: Int?, interval: Duration? = nil, deadline: Duration,
             sampleEvery: Duration = .milliseconds(100), line: @escaping @Sendable (Int) -> String) async -> Report {
        let range = firstID..<(firstID + count)
        let semaphore = window.map { DispatchSemaphore(value: $0) }
        state.withLock {
            $0.window = semaphore
            $0.range = range
            $0.answers = Array(repeating: 0, count: count)
            $0.sentAt = Array(repeating: .now, count: count)
            $0.answered = 0
            $0.errors = [:]
            $0.errorIDs = [:]
            $0.latencies = []
        }
        let sent = Atomic<Int>(0)
        let started = ContinuousClock.now
        Thread.detachNewThread { [self] in
            var batch: [UInt8] = []
            for (index, id) in range.enumerated() {
                semaphore?.wait()
                if let interval { Thread.sleep(forTimeInterval: interval.seconds) }
                let now = ContinuousClock.now
                state.withLock { $0.sentAt[index] = now }
                batch.append(contentsOf: (line(id) + "\n").utf8)
                if semaphore != nil || batch.count >= 1 << 16 || index == count - 1 {
                    guard (try? write(batch)) != nil else { return }
                    batch.removeAll(keepingCapacity: true)
                    sent.store(index + 1, ordering: .relaxed)
                }
            }
        }
        var samples: [ProcSample] = []
        let end = started + deadline
        var nextSample = started
        while true {
            let answered = state.withLock { $0.answered }
            let now = ContinuousClock.now
            if now >= nextSample, let sample = Self.sample(pid, answered: answered) {
                samples.append(sample)
                nextSample = now + sampleEvery
            }
            if answered == count || now >= end { break }
            try? await Task.sleep(for: .milliseconds(10))
        }
        let elapsed = ContinuousClock.now - started
        if let sample = Self.sample(pid, answered: state.withLock { $0.answered }) { samples.append(sample) }
        return state.withLock { state in
            Report(sent: sent.load(ordering: .relaxed), answered: state.answered,
                   answeredTwice: state.answers.count { $0 > 1 }, hung: state.answers.count { $0 == 0 },
                   errors: state.errors, errorIDs: state.errorIDs, errorSamples: state.errorSamples,
                   stray: state.stray, elapsed: elapsed, maxLatency: state.latencies.max() ?? .zero,
                   samples: samples)
        }
    }

    /// Lines written after the load that answer nothing we sent (e.g. a duplicate answer arriving late).
    var strayLines: Int { state.withLock { $0.stray } }

    func closeStdin() throws { try stdinPipe.fileHandleForWriting.close() }

    func waitForExit(timeout: Duration = .seconds(60)) async throws -> Int32 {
        guard let status = try await process.exitStatus(within: timeout) else { throw TestFailure("bridge did not exit") }
        return status
    }

    /// VmRSS, VmHWM and the number of open descriptors of a live process.
    static func sample(_ pid: Int32, answered: Int) -> ProcSample? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
              let fds = try? FileManager.default.contentsOfDirectory(atPath: "/proc/\(pid)/fd") else { return nil }
        func kib(_ key: String) -> Int {
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(key) }) else { return 0 }
            return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
        }
        return ProcSample(answered: answered, rssKiB: kib("VmRSS:"), peakKiB: kib("VmHWM:"), fds: fds.count)
    }
}

/// The fast C MCP server from Benchmarks/ (fastserver.c), compiled once per test process with cc.
enum FastServer {
    static let binary = Task { () throws -> String in
        let source = TestEnvironment.repository.appendingPathComponent("Benchmarks/fastserver.c").path
        let output = FileManager.default.temporaryDirectory
            .appendingPathComponent("mcp-bridge-fastserver-\(getpid())").path
        let cc = Process()
        cc.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        cc.arguments = ["cc", "-O2", "-o", output, source, "-lpthread"]
        try cc.run()
        cc.waitUntilExit()
        guard cc.terminationStatus == 0 else { throw TestFailure("cc fastserver.c failed") }
        return output
    }

    /// A running fast server (its own process; stopped when the value is released).
    static func start() async throws -> NativeServer {
        try await NativeServer(executable: binary.value, arguments: ["--port", "0"])
    }
}

/// A server binary (not Python) that prints `LISTENING <port>`.
final class NativeServer: @unchecked Sendable {
    let process = Process()
    let port: Int

    init(executable: String, arguments: [String]) async throws {
        let stdoutPipe = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.standardOutput = stdoutPipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = PipeReader(stdoutPipe.fileHandleForReading)
        var found: Int?
        while found == nil {
            guard let line = try await reader.nextLine(timeout: .seconds(10)) else {
                throw TestFailure("\(executable) exited before listening")
            }
            if line.hasPrefix("LISTENING ") { found = Int(line.dropFirst("LISTENING ".count)) }
        }
        port = found ?? 0
    }

    deinit { if process.isRunning { process.terminate() } }

    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }
}

/// Three (or more) mcp_server.py replicas behind nginx_lb.py, which the chaos tests kill and restart in place.
final class ReplicaSet: @unchecked Sendable {
    private(set) var replicas: [ServerProcess]
    let ports: [Int]
    let balancer: ServerProcess
    let arguments: [[String]]

    init(count: Int = 3, mode: String = "stateless", sticky: Bool = false, extra: [String] = []) async throws {
        var arguments: [[String]] = []
        for index in 0..<count {
            arguments.append(["--mode", mode, "--name", "r\(index)"] + extra)
        }
        let started = try await withThrowingTaskGroup(of: (Int, ServerProcess).self) { group in
            for index in 0..<count {
                let args = arguments[index]
                group.addTask { (index, try await ServerProcess(script: "mcp_server.py", arguments: args + ["--port", "0"])) }
            }
            var result: [(Int, ServerProcess)] = []
            for try await item in group { result.append(item) }
            return result.sorted { $0.0 < $1.0 }.map(\.1)
        }
        replicas = started
        ports = started.map(\.port)
        self.arguments = arguments
        var lbArguments = ["--port", "0"] + ports.flatMap { ["--upstream", "127.0.0.1:\($0)"] }
        if sticky { lbArguments.append("--sticky-session") }
        balancer = try await ServerProcess(script: "nginx_lb.py", arguments: lbArguments)
    }

    var url: String { balancer.url(SharedServers.mcpPath) }

    /// Kills replica `index` with `signal`, waits for it to exit, then starts it again on the same port.
    func bounce(_ index: Int, signal: Int32, down: Duration = .milliseconds(200)) async throws {
        let old = replicas[index]
        kill(old.process.processIdentifier, signal)
        let deadline = ContinuousClock.now + .seconds(10)
        while old.process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        try await Task.sleep(for: down)
        replicas[index] = try await ServerProcess(script: "mcp_server.py",
                                                  arguments: arguments[index] + ["--port", "\(ports[index])"])
    }
}

extension Duration {
    /// In seconds, as a floating-point number (for reports and Thread.sleep).
    var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}
