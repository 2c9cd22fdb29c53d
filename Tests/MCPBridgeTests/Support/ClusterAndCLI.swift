import Foundation

/// Helpers for the session, load-balancer, server-to-client, command-line and `check` suites: replicas behind
/// nginx, a fault server's session expiry, one-shot runs of the binary, and golden files.

/// Three (or `count`) MCP server replicas behind `nginx_lb.py`'s round robin at `/ossserver-stateless/`.
final class ReplicaCluster: Sendable {
    let replicas: [ServerProcess]
    let balancer: ServerProcess

    /// Starts the replicas concurrently (each takes ~1.5 s to import the SDK), then the balancer in front of them.
    init(mode: String, count: Int = 3, stickySessions: Bool = false, stickyCookie: Bool = false) async throws {
        replicas = try await withThrowingTaskGroup(of: (Int, ServerProcess).self) { group in
            for index in 1...count {
                group.addTask {
                    (index, try await ServerProcess(script: "mcp_server.py", arguments: [
                        "--mode", mode, "--port", "0", "--name", "r\(index)",
                    ]))
                }
            }
            var started: [(Int, ServerProcess)] = []
            for try await replica in group { started.append(replica) }
            return started.sorted { $0.0 < $1.0 }.map(\.1)
        }
        var arguments = ["--port", "0", "--prefix", "/ossserver-stateless/"]
        for replica in replicas { arguments += ["--upstream", "127.0.0.1:\(replica.port)"] }
        if stickySessions { arguments.append("--sticky-session") }
        if stickyCookie { arguments.append("--sticky-cookie") }
        balancer = try await ServerProcess(script: "nginx_lb.py", arguments: arguments)
    }

    /// The MCP endpoint as the seed deployment exposes it, through the balancer.
    var endpoint: String { balancer.url(SharedServers.mcpPath) }
}

extension ServerProcess {
    /// `POST /_expire` on a fault server: every active session of /session and /get-stream now answers 404.
    func expireFaultSessions() throws {
        _ = try FaultTools.curl(["-X", "POST", url("/_expire")])
    }
}

/// What a one-shot run of the binary printed (`--version`, `--help`, `check`, a rejected URL).
struct BridgeRunResult {
    let status: Int32
    let stdout: String
    let stderr: String

    var stderrLines: [String] { stderr.split(separator: "\n").map(String.init) }
}

extension BridgeProcess {
    /// Runs `mcp-bridge arguments` with stdin closed at once and waits for it to exit with all its output.
    static func runToEnd(_ arguments: [String], environment: [String: String] = [:],
                         timeout: Duration = .seconds(30)) async throws -> BridgeRunResult {
        let bridge = try BridgeProcess(arguments, environment: environment)
        try? bridge.closeStdin()  // it may already have exited (a rejected URL): that is fine
        let status = try await bridge.waitForExitAndOutput(timeout: timeout)
        return BridgeRunResult(status: status, stdout: bridge.stdout.text, stderr: bridge.stderr.text)
    }

    /// Answers a server-to-client request (elicitation, ping, ...) the way a host does: same id, this result.
    func answerServerRequest(id: Any, result: [String: Any]) throws {
        let reply: [String: Any] = ["jsonrpc": "2.0", "id": id, "result": result]
        let data = try JSONSerialization.data(withJSONObject: reply, options: [.sortedKeys])
        try send(String(decoding: data, as: UTF8.self))
    }

    /// The names in a `tools/list` response.
    static func toolNames(_ response: [String: Any]) -> [String] {
        (response.result?["tools"] as? [[String: Any]])?.compactMap { $0["name"] as? String } ?? []
    }
}

/// Expected outputs kept under `Tests/MCPBridgeTests/Golden/`.
enum GoldenFile {
    /// Set to 1 to rewrite the golden files from the current binary instead of comparing.
    static let updateVariable = "MCP_BRIDGE_UPDATE_GOLDEN"

    static func url(_ name: String) -> URL {
        TestEnvironment.repository.appendingPathComponent("Tests/MCPBridgeTests/Golden/\(name)")
    }

    /// The golden text, or (with `MCP_BRIDGE_UPDATE_GOLDEN=1`) `actual` after writing it as the new golden.
    static func expected(_ name: String, actual: String) throws -> String {
        if ProcessInfo.processInfo.environment[updateVariable] == "1" {
            try actual.write(to: url(name), atomically: true, encoding: .utf8)
        }
        return try String(contentsOf: url(name), encoding: .utf8)
    }
}

/// Parses a tool result's text that is itself a JSON object (`request_headers`).
func parseJSONObjectText(_ text: String?) throws -> [String: Any] {
    guard let text, let object = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else {
        throw TestFailure("not a JSON object text: \(text ?? "nil")")
    }
    return object
}
