import Foundation
import Testing

/// The second, independent authorization server (`Tests/Servers/authlib_server.py`: authlib + Flask, with the mcp
/// SDK's resource server in front, which introspects every token at it), one per test, with a fresh token store,
/// and `Tests/Clients/device_user.sh` as the user at the device verification page.
struct AuthlibServer {
    let server: ServerProcess
    let store: String
    let browserLog: String

    init(_ arguments: [String] = []) async throws {
        server = try await ServerProcess(script: "authlib_server.py", arguments: ["--port", "0"] + arguments,
                                         python: TestEnvironment.authlibPython)
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-bridge-authlib-\(UUID())").path
        store = base + "/store"
        browserLog = base + "-browser.log"
    }

    var url: String { server.url("/mcp") }

    /// A bridge on a machine with a browser (`Tests/Clients/browser.sh`), or with none: no `$BROWSER`, no display.
    /// `url` "login": `mcp-bridge login` for this server.
    func bridge(_ extra: [String] = [], browser: Bool = false, url: String? = nil) throws -> BridgeProcess {
        let script = TestEnvironment.repository.appendingPathComponent("Tests/Clients/browser.sh").path
        let environment = ["MCP_BRIDGE_AUTH_DIR": store, "BROWSER_LOG": browserLog, "BROWSER": browser ? script : "",
                           "DISPLAY": "", "WAYLAND_DISPLAY": ""]
        let target = url == "login" ? ["login", self.url] : [url ?? self.url]
        return try BridgeProcess(target + extra, environment: environment)
    }

    func json(_ path: String) throws -> Any {
        try JSONSerialization.jsonObject(with: FaultTools.curl([server.url(path)]))
    }

    /// Registrations, authorizations, device authorizations, token requests by grant, introspections.
    func counts() throws -> [String: Int] { (try json("/_counts") as? [String: Int]) ?? [:] }

    /// The authorization server's log of the device polls: when each came, and its answer.
    func polls() throws -> [(at: Double, answer: String)] {
        ((try json("/_polls") as? [[String: Any]]) ?? []).map { ($0["at"] as? Double ?? 0, $0["answer"] as? String ?? "") }
    }

    /// Every token, code, device code and client secret the authorization server issued.
    func secrets() throws -> [String] { (try json("/_secrets") as? [String]) ?? [] }

    /// None of the issued secrets is in any of these logs.
    func expectNoSecret(in logs: [String], sourceLocation: SourceLocation = #_sourceLocation) throws {
        let issued = try secrets()
        #expect(!issued.isEmpty, sourceLocation: sourceLocation)
        for secret in issued {
            #expect(!logs.contains { $0.contains(secret) }, "an issued secret reached a log",
                    sourceLocation: sourceLocation)
        }
    }

    /// Waits for one of `bridges` to print the device sign-in, then acts as the user at its verification page.
    @discardableResult
    func actAsUser(_ action: String = "approve", watching bridges: [BridgeProcess]) async throws -> String {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            for bridge in bridges {
                guard let url = Self.verificationURL(in: bridge.stderr.text) else { continue }
                let user = Process()
                user.executableURL = TestEnvironment.repository.appendingPathComponent("Tests/Clients/device_user.sh")
                user.arguments = [url, action]
                try user.run()
                user.waitUntilExit()
                #expect(user.terminationStatus == 0, "the user reached the verification page")
                return url
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw TestFailure("no bridge printed a device code: \(bridges.map(\.stderr.text))")
    }

    /// The `verification_uri_complete` the bridge printed (`... (or open URL)`).
    static func verificationURL(in stderr: String) -> String? {
        guard let range = stderr.range(of: "(or open ") else { return nil }
        let rest = stderr[range.upperBound...]
        return rest.firstIndex(of: ")").map { String(rest[..<$0]) }
    }
}

extension TestEnvironment {
    /// authlib + Flask and the mcp SDK, in their own venv (`make deps`).
    static var authlibPython: String {
        ProcessInfo.processInfo.environment["MCP_BRIDGE_AUTHLIB_PYTHON"]
            ?? repository.appendingPathComponent(".venv-authlib/bin/python").path
    }
}
