import Foundation
import Testing

/// One bridge against one hostile route of the fault server (`Tests/Servers/fault_hostile.py`), checked the way
/// every hostile-peer test is: each request the host sent is answered exactly once, every stdout line is one
/// valid JSON-RPC message, memory stays bounded, and the bridge still answers (and exits cleanly) afterwards.
final class HostilePeer: @unchecked Sendable {
    /// The suite's own fault server: the hostile tests read its log, which the shared one mixes with other suites.
    static let server = Task { try await ServerProcess(script: "fault_server.py", arguments: ["--port", "0"]) }

    let bridge: BridgeProcess
    let server: ServerProcess
    /// The route's path and query, unique per test so its log entries can be told apart.
    let target: String
    /// Answers seen per id key (see `key(of:)`), and the ids sent that need one.
    private(set) var answers: [String: Int] = [:]
    private var owed: [String] = []
    /// Every message read from stdout, in order (a batch line's elements one by one).
    private(set) var messages: [[String: Any]] = []
    private var queue: [[String: Any]] = []

    init(_ name: String, query: String = "", arguments: [String] = [], environment: [String: String] = [:],
         url: ((ServerProcess, String) -> String)? = nil) async throws {
        server = try await Self.server.value
        target = "/h/\(name)" + (query.isEmpty ? "" : "?\(query)")
        let address = url?(server, target) ?? server.url(target)
        let retries = arguments.contains("--retries") ? [] : ["--retries", "0"]
        bridge = try BridgeProcess([address] + retries + arguments, environment: environment)
    }

    /// initialize + notifications/initialized; returns the initialize answer.
    @discardableResult
    func handshake() async throws -> [String: Any] {
        try request(Messages.initialize(id: 1), id: .int(1))
        let answer = try await response(to: .int(1))
        try bridge.send(Messages.initialized)
        return answer
    }

    /// Sends a request line whose id is `id`, which now needs exactly one answer.
    func request(_ line: String, id: TestID) throws {
        owed.append(Self.key(of: id))
        try bridge.send(line)
    }

    func send(_ line: String) throws { try bridge.send(line) }

    /// One more answer is owed for `id` (a request inside a batch sent with `request`).
    func owe(_ id: TestID) { owed.append(Self.key(of: id)) }

    /// Reads (and checks) stdout until the answer to `id` arrives.
    func response(to id: TestID, timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        let wanted = Self.key(of: id)
        while true {
            let message = try await next(timeout: timeout)
            if message["method"] == nil, Self.key(of: message["id"]) == wanted { return message }
        }
    }

    /// The next message from stdout; every line must be one JSON-RPC message, or a batch of responses (the answer
    /// to a host batch), whose elements come one by one. Answers are counted.
    func next(timeout: Duration = .seconds(30)) async throws -> [String: Any] {
        if queue.isEmpty {
            let line = try await bridge.readLine(timeout: timeout)
            queue = try Self.checkedLine(line)
            for message in queue where message["method"] == nil { answers[Self.key(of: message["id"]), default: 0] += 1 }
            messages += queue
        }
        return queue.removeFirst()
    }

    /// The closing checks: the bridge answers a ping, every request was answered once, nothing else arrives on
    /// stdout, memory stayed bounded, and the bridge exits 0 when stdin closes.
    func finish(timeout: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation) async throws {
        try request(#"{"jsonrpc":"2.0","id":"alive","method":"ping"}"#, id: .string("alive"))
        let alive = try await response(to: .string("alive"), timeout: timeout)
        #expect(alive["result"] != nil, "the bridge stopped relaying: \(alive)", sourceLocation: sourceLocation)
        let peak = Self.peakResidentKiB(of: bridge.process.processIdentifier)
        if TestEnvironment.measuresMemory, let peak {
            #expect(peak < 200_000, "peak RSS \(peak) KiB", sourceLocation: sourceLocation)
        }
        let (status, later) = try await bridge.finish()
        #expect(status == 0, "exit status \(status); stderr: \(bridge.stderr.text)", sourceLocation: sourceLocation)
        let laterAnswers = try later.flatMap(Self.checkedLine).filter { $0["method"] == nil }.map { Self.key(of: $0["id"]) }
        for key in laterAnswers { answers[key, default: 0] += 1 }
        for key in Set(owed) {
            #expect(answers[key] == owed.count(where: { $0 == key }), "answers for \(key): \(answers[key] ?? 0)",
                    sourceLocation: sourceLocation)
        }
        for (key, count) in answers where !owed.contains(key) {
            #expect(Bool(false), "\(count) answer(s) for \(key), which the host never sent", sourceLocation: sourceLocation)
        }
    }

    /// This route's entries in the fault server's log (requests and events).
    func log() throws -> [[String: Any]] {
        let path = String(target.prefix { $0 != "?" })
        let query = target.contains("?") ? String(target.drop { $0 != "?" }.dropFirst()) : ""
        return try FaultTools.log(of: server).filter {
            ($0["path"] as? String) == path && (($0["query"] as? String).map { $0 == query } ?? true)
        }
    }

    /// A stdout line parsed and checked: one JSON-RPC message, or a non-empty batch of responses.
    static func checkedLine(_ line: String) throws -> [[String: Any]] {
        guard line.hasPrefix("[") else { return [try checked(line)] }
        guard let elements = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [Any], !elements.isEmpty else {
            throw TestFailure("stdout line is not a batch of messages: \(line.prefix(300))")
        }
        return try elements.map { element in
            let data = try JSONSerialization.data(withJSONObject: element)
            let message = try checked(String(decoding: data, as: UTF8.self))
            guard message["method"] == nil else { throw TestFailure("a request inside a batch line: \(line.prefix(300))") }
            return message
        }
    }

    /// A stdout line parsed and checked as one JSON-RPC 2.0 message (not a batch, not a fragment).
    static func checked(_ line: String) throws -> [String: Any] {
        guard let message = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            throw TestFailure("stdout line is not one JSON object: \(line.prefix(300))")
        }
        guard message["jsonrpc"] as? String == "2.0" else { throw TestFailure("not JSON-RPC 2.0: \(line.prefix(300))") }
        if message["method"] is String { return message }
        guard message.keys.contains("id"), (message["result"] == nil) != (message["error"] == nil) else {
            throw TestFailure("neither a request, a notification nor a response: \(line.prefix(300))")
        }
        return message
    }

    /// A comparable key for an id as JSON parsed it (a number never equals a string).
    static func key(of id: Any?) -> String {
        switch id {
        case let id as TestID: return key(of: id.jsonValue)
        case let string as String: return "s:" + string
        case let number as NSNumber: return "n:\(number)"
        default: return "null"
        }
    }

    /// The high-water mark of a process's resident memory, from /proc.
    static func peakResidentKiB(of pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") }
    }
}

extension TestID {
    /// The id as JSONSerialization gives it back.
    var jsonValue: Any {
        switch self {
        case .int(let value): NSNumber(value: value)
        case .string(let value): value
        }
    }
}

/// Hex for a query parameter that carries raw bytes (`sid_hex=`, `eid_hex=`, `cookie_hex=`).
func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func hex(_ text: String) -> String { hex(Array(text.utf8)) }
