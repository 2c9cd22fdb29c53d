import Foundation

/// The servers of the interoperability matrix (its columns): every protocol era a real server speaks, from the
/// official Python SDK (mcp 1.30.0 for the handshake eras, mcp 2.3.0 for both eras and 2026-07-28 only).
///
/// Each is started once and shared by the cells of its column (each cell has its own bridge); where the suite
/// already has the same server running (`SharedServers`, `SharedLegacyServer`) the matrix reuses it.
enum MatrixServer: CaseIterable, Sendable {
    case sse2024
    case legacyStateful
    case legacyStateless
    case dualStateless
    case dualStateful
    case modernOnly
    case dualReplicas

    /// The column heading in the README table.
    var title: String {
        switch self {
        case .sse2024: "2024-11-05 HTTP+SSE (mcp 1.x)"
        case .legacyStateful: "2025 Streamable HTTP, sessions (mcp 1.x)"
        case .legacyStateless: "2025 Streamable HTTP, stateless (mcp 1.x)"
        case .dualStateless: "both eras, stateless (mcp 2.x)"
        case .dualStateful: "both eras, sessions (mcp 2.x)"
        case .modernOnly: "2026-07-28 only (mcp 2.x)"
        case .dualReplicas: "both eras, sessions, 3 replicas behind round robin (mcp 2.x, nginx)"
        }
    }

    /// The server's URL as a user would configure it, once it listens.
    func url() async throws -> String {
        switch self {
        case .sse2024: try await SharedLegacyServer.sse.value.url("/sse")
        case .legacyStateful: try await MatrixServers.legacyStateful.value.url("/mcp")
        case .legacyStateless: try await MatrixServers.legacyStateless.value.url("/mcp")
        case .dualStateless: try await SharedServers.stateless.value.url(SharedServers.mcpPath)
        case .dualStateful: try await SharedServers.stateful.value.url(SharedServers.mcpPath)
        case .modernOnly: try await MatrixServers.modernOnly.value.url(SharedServers.mcpPath)
        case .dualReplicas: try await MatrixServers.dualReplicas.value.endpoint
        }
    }
}

/// The matrix's own servers, started once per test process on first use.
enum MatrixServers {
    static let legacyStateful = Task {
        try await ServerProcess(script: "legacy_sse_server.py",
                                arguments: ["--transport", "streamable-http", "--port", "0", "--name", "matrix-1x"],
                                python: TestEnvironment.legacyPython)
    }
    static let legacyStateless = Task {
        try await ServerProcess(script: "legacy_sse_server.py",
                                arguments: ["--transport", "streamable-http", "--stateless", "--port", "0",
                                            "--name", "matrix-1x-stateless"],
                                python: TestEnvironment.legacyPython)
    }
    static let modernOnly = Task {
        try await ServerProcess(script: "mcp_server.py",
                                arguments: ["--modern-only", "--port", "0", "--name", "matrix-modern-only"])
    }

    /// Stateful replicas without affinity: every cell of the column shares them, so no cell can count on where
    /// its calls land.
    static let dualReplicas = Task { try await ReplicaCluster(mode: "stateful") }

    /// Every column's URL, started concurrently (each server takes 1–2 s to import its SDK); a server that failed
    /// to start is a message instead, so its column fails with the reason and the others still run.
    static func urls() async -> [MatrixServer: Result<String, TestFailure>] {
        await withTaskGroup(of: (MatrixServer, Result<String, TestFailure>).self) { group in
            for server in MatrixServer.allCases {
                group.addTask {
                    do {
                        return (server, .success(try await server.url()))
                    } catch {
                        return (server, .failure(TestFailure("the server did not start: \(error)")))
                    }
                }
            }
            var urls: [MatrixServer: Result<String, TestFailure>] = [:]
            for await (server, url) in group { urls[server] = url }
            return urls
        }
    }
}
