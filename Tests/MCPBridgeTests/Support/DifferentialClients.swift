import Foundation

/// A real MCP client library from PyPI, run by `Tests/Clients/differential_client.py` in its own venv.
enum DiffClient: String, CaseIterable, Sendable {
    case sdk1
    case sdk2
    case sdk2Legacy = "sdk2-legacy"
    case fastmcp
    case langchain

    var title: String {
        switch self {
        case .sdk1: "mcp 1.30 `ClientSession`"
        case .sdk2: "mcp 2.3 `Client` (auto)"
        case .sdk2Legacy: "mcp 2.3 `Client` (legacy)"
        case .fastmcp: "fastmcp 4.1 `Client` (auto)"
        case .langchain: "langchain-mcp-adapters 0.3.2 `MultiServerMCPClient` (mcp 1.30)"
        }
    }

    var python: String {
        switch self {
        case .sdk1: TestEnvironment.legacyPython
        case .sdk2, .sdk2Legacy: TestEnvironment.python
        case .fastmcp: TestEnvironment.fastmcpPython
        case .langchain: TestEnvironment.venvPython("langchain")
        }
    }
}

/// The real servers each client talks to, once directly and once through the bridge.
enum DiffServer: CaseIterable, Sendable {
    case dualStateless
    case dualStateful
    case legacySessions
    case fastmcp
    case time

    var title: String {
        switch self {
        case .dualStateless: "both eras, stateless (mcp 2.x)"
        case .dualStateful: "both eras, sessions (mcp 2.x)"
        case .legacySessions: "2025, sessions (mcp 1.x)"
        case .fastmcp: "both eras, sessions (fastmcp 4.x)"
        case .time: "mcp-server-time behind mcp-proxy (2025, sessions)"
        }
    }

    /// `Tests/Clients/differential_client.py --scenario`: the time server has its own tools.
    var scenario: String { self == .time ? "time" : "default" }

    static let testServers = allCases.filter { $0.scenario == "default" }

    func url() async throws -> String {
        switch self {
        case .dualStateless: try await SharedServers.stateless.value.url(SharedServers.mcpPath)
        case .dualStateful: try await SharedServers.stateful.value.url(SharedServers.mcpPath)
        case .legacySessions: try await MatrixServers.legacyStateful.value.url("/mcp")
        case .fastmcp: try await DiffServers.fastmcp.value.url("/mcp")
        case .time: try await DiffServers.time.value.url("/mcp")
        }
    }
}

enum DiffServers {
    static let fastmcp = Task {
        try await ServerProcess(script: "fastmcp_server.py", arguments: ["--port", "0"],
                                python: TestEnvironment.fastmcpPython)
    }
    /// The reference time server (stdio, mcp 2.x, `.venv-time`) served over Streamable HTTP by the real mcp-proxy CLI
    /// (mcp 1.x, `.venv-mcp-proxy`): two venvs, as their mcp pins conflict.
    static let time = Task {
        let server = URL(fileURLWithPath: TestEnvironment.venvPython("time")).deletingLastPathComponent()
            .appendingPathComponent("mcp-server-time").path
        return try await ServerProcess(script: "time_proxy.py", arguments: ["--time-server", server],
                                       python: TestEnvironment.venvPython("mcp-proxy"))
    }
}

extension TestEnvironment {
    /// fastmcp 4.x (client and server), in its own venv (`make deps`).
    static var fastmcpPython: String {
        ProcessInfo.processInfo.environment["MCP_BRIDGE_FASTMCP_PYTHON"]
            ?? repository.appendingPathComponent(".venv-fastmcp/bin/python").path
    }

    /// The python of `.venv-NAME` (`make deps`), or `$MCP_BRIDGE_<NAME>_PYTHON` (`langchain`, `time`, `mcp-proxy`:
    /// `MCP_BRIDGE_MCP_PROXY_PYTHON`).
    static func venvPython(_ name: String) -> String {
        let variable = "MCP_BRIDGE_\(name.uppercased().replacingOccurrences(of: "-", with: "_"))_PYTHON"
        return ProcessInfo.processInfo.environment[variable]
            ?? repository.appendingPathComponent(".venv-\(name)/bin/python").path
    }
}

/// What one client saw in one run: observation name → the JSON value the driver printed for it.
struct ClientRun: @unchecked Sendable {
    var observations: [String: Any]
    /// Through the bridge: what `record_exit.sh` wrote ("0", "0 after SIGTERM"; "N killed" for bridges that wrote
    /// none). A client that starts a bridge per session (LangChain's adapter) leaves one each: their distinct values.
    var exit: String?
    var stderr: String

    /// Runs the driver once: the scenario directly, then through the built bridge on the client's stdio transport.
    static func run(_ client: DiffClient, url: String, scenario: String) async throws -> (direct: ClientRun,
                                                                                            bridged: ClientRun) {
        let exitFile = FileManager.default.temporaryDirectory
            .appendingPathComponent("mcp-bridge-exit-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: exitFile) }
        let arguments = [TestEnvironment.repository.appendingPathComponent("Tests/Clients/differential_client.py").path,
                         "--client", client.rawValue, "--url", url, "--scenario", scenario,
                         "--bridge", TestEnvironment.bridgeBinary, "--exit-file", exitFile]
        let (status, stdout, stderr) = try await Self.runProcess(client.python, arguments, timeout: .seconds(240))
        guard status == 0, let object = try? JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any],
              let direct = object["direct"] as? [String: Any], let bridged = object["bridged"] as? [String: Any]
        else { throw TestFailure("\(client.rawValue) driver failed (\(status)): \(stdout)\n\(stderr.suffix(2000))") }
        let lines = (try? String(contentsOfFile: exitFile, encoding: .utf8))?.split(separator: "\n").map(String.init)
        return (ClientRun(observations: direct, exit: nil, stderr: stderr),
                ClientRun(observations: bridged, exit: lines.flatMap(Self.exit(of:)), stderr: stderr))
    }

    /// The distinct exits `record_exit.sh` recorded, and how many bridges recorded none (killed).
    private static func exit(of lines: [String]) -> String? {
        let exits = lines.filter { $0 != "started" }
        var distinct = Set(exits).sorted()
        let killed = lines.count - 2 * exits.count
        if killed > 0 { distinct.append("\(killed) killed") }
        return distinct.isEmpty ? nil : distinct.joined(separator: " | ")
    }

    private static func runProcess(_ executable: String, _ arguments: [String],
                                   timeout: Duration) async throws -> (Int32, String, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let out = PipeReader(stdout.fileHandleForReading)
        let err = PipeReader(stderr.fileHandleForReading)
        try process.run()
        guard let status = try await process.exitStatus(within: timeout) else {
            process.terminate()
            throw TestFailure("the driver did not finish within \(timeout): \(err.text.suffix(2000))")
        }
        let deadline = ContinuousClock.now + .seconds(5)
        while !(out.isClosed && err.isClosed), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        return (status, out.text, err.text)
    }
}

/// A difference between direct and bridged that is not the bridge's doing, or that is the bridge adding what the
/// pairing lacks; `holds` checks it is exactly that difference (direct value, bridged value).
struct AllowedDifference: Sendable {
    let observation: String
    let clients: [DiffClient]
    let servers: [DiffServer]
    let reason: String
    let holds: @Sendable (_ direct: Any?, _ bridged: Any?) -> Bool

    func covers(_ client: DiffClient, _ server: DiffServer, _ observation: String) -> Bool {
        observation == self.observation && clients.contains(client) && servers.contains(server)
    }
}

/// Canonical JSON text of a driver value, for comparing two runs.
func canonicalJSON(_ value: Any?) -> String {
    guard let value else { return "absent" }
    guard let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
    else { return "\(value)" }
    return String(decoding: data, as: UTF8.self)
}
