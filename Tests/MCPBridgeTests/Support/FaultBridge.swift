import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A JSON-RPC id as the tests write it: the bridge must echo integers and strings alike.
enum TestID: Sendable, CustomStringConvertible {
    case int(Int)
    case string(String)

    /// The id as a JSON literal.
    var json: String {
        switch self {
        case .int(let value): String(value)
        case .string(let value): "\"\(value)\""
        }
    }

    /// Whether a parsed `id` member is this id (an integer never matches a string and vice versa).
    func matches(_ value: Any?) -> Bool {
        switch self {
        case .int(let expected): (value as? Int) == expected && !(value is String)
        case .string(let expected): (value as? String) == expected
        }
    }

    var description: String { json }
}

extension Messages {
    /// A request line with any id and method; `params` is a JSON object literal.
    static func request(id: TestID, method: String = "tools/list", params: String? = nil) -> String {
        #"{"jsonrpc":"2.0","id":\#(id.json),"method":"\#(method)""# + (params.map { #","params":\#($0)"# } ?? "")
            + "}"
    }

    /// A `tools/call` that asks for progress with `token`; the fault server echoes it in its progress events.
    static func progressRequest(id: TestID, token: String) -> String {
        request(id: id, method: "tools/call", params: #"{"name":"work","_meta":{"progressToken":"\#(token)"}}"#)
    }

    static let logNotification = #"{"jsonrpc":"2.0","method":"notifications/message","params":{"level":"info"}}"#
}

extension BridgeProcess {
    /// A bridge relaying to `pathAndQuery` on `server` (the shared fault server by default).
    static func onFault(_ pathAndQuery: String, server: ServerProcess? = nil,
                        extraArguments: [String] = []) async throws -> BridgeProcess {
        let fault = if let server { server } else { try await SharedServers.fault.value }
        return try BridgeProcess([fault.url(pathAndQuery)] + extraArguments)
    }

    /// A bridge relaying to a loopback port nobody listens on: every connection is refused.
    static func toUnusedPort() throws -> BridgeProcess {
        try BridgeProcess(["http://127.0.0.1:\(try FaultTools.unusedPort())/mcp"])
    }

    /// Reads lines until the response (a message without `method`) for `id` arrives; returns it and what came first.
    func readResponse(_ id: TestID, timeout: Duration = .seconds(60)) async throws -> (response: [String: Any],
                                                                                     before: [[String: Any]]) {
        var before: [[String: Any]] = []
        while true {
            let message = try await readMessage(timeout: timeout)
            if id.matches(message["id"]), message["method"] == nil { return (message, before) }
            before.append(message)
        }
    }

    /// Reads until `count` responses arrived, in whatever order; server notifications and requests are skipped.
    func readResponses(count: Int, timeout: Duration = .seconds(60)) async throws -> [[String: Any]] {
        var responses: [[String: Any]] = []
        while responses.count < count {
            let message = try await readMessage(timeout: timeout)
            if message["method"] == nil { responses.append(message) }
        }
        return responses
    }

    /// Closes stdin as a host that is done would, then collects every further stdout line until the bridge exits.
    func finish(timeout: Duration = .seconds(20)) async throws -> (status: Int32, laterLines: [String]) {
        try closeStdin()
        var lines: [String] = []
        do {
            while let line = try await stdout.nextLine(timeout: timeout) { lines.append(line) }
        } catch {
            // A bridge that does not exit after stdin closes is the bug; what it last logged says where it waits.
            throw TestFailure("stdout still open \(timeout) after stdin closed (\(error)); stderr ends with:\n"
                + String(stderr.text.suffix(2_000)))
        }
        return (try await waitForExit(timeout: timeout), lines)
    }
}

/// Plain-socket and curl helpers for the fault scenarios.
enum FaultTools {
    /// A loopback TCP port nobody listens on: bound to port 0, noted, then closed again.
    static func unusedPort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw TestFailure("socket() failed: errno \(errno)") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard bound else { throw TestFailure("bind/getsockname failed: errno \(errno)") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    /// Runs curl with `arguments` and returns its stdout; used to see exactly what a server sends or logged.
    static func curl(_ arguments: [String]) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["curl", "-s", "--max-time", "10"] + arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { throw TestFailure("curl \(arguments) failed") }
        return data
    }

    /// The raw body a server answers to a POST of `body`, as a host-side reference for byte-level comparisons.
    static func post(_ body: String, to url: String) throws -> Data {
        try curl(["-X", "POST", "-H", "Content-Type: application/json",
                  "-H", "Accept: application/json, text/event-stream", "--data-binary", body, url])
    }

    /// The fault server's request log (`GET /_log`): requests in arrival order, interleaved with events.
    static func log(of server: ServerProcess) throws -> [[String: Any]] {
        let data = try curl([server.url("/_log")])
        guard let entries = try JSONSerialization.jsonObject(with: data) as? [[String: Any]] else {
            throw TestFailure("/_log is not a JSON array: \(String(decoding: data, as: UTF8.self))")
        }
        return entries
    }
}

/// Parses a line of stdout as any JSON value (object or batch array).
func parseJSON(_ line: String) throws -> Any {
    try JSONSerialization.jsonObject(with: Data(line.utf8), options: [.fragmentsAllowed])
}
