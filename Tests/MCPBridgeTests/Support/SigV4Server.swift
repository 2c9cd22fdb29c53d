import Foundation
import Testing

/// One test's share of a `sigv4_verifier.py` (started once per test process and mode: each imports mcp and botocore,
/// too heavy to start per test on two cores): the test's own keys and stand-in paths under a tag of its own, so its
/// stats hold only its traffic; and an AWS environment in a temporary home: no shared files unless the test writes
/// them, IMDS off unless the test points it at the verifier, and every inherited AWS variable blanked so the
/// machine's own credentials never play a part.
final class SigV4Server: @unchecked Sendable {
    static let region = "us-west-2"
    static let service = "bedrock-agentcore"

    private static let stateless = Task {
        try await ServerProcess(script: "sigv4_verifier.py", arguments: [
            "--region", region, "--service", service, "--mode", "stateless", "--port", "0",
        ])
    }
    private static let stateful = Task {
        try await ServerProcess(script: "sigv4_verifier.py", arguments: [
            "--region", region, "--service", service, "--mode", "stateful", "--port", "0",
        ])
    }

    let server: ServerProcess
    let home: URL
    let tag: String
    /// Keys the verifier knows for this test: a long-term key and a temporary one with its token.
    let longTerm: (id: String, secret: String)
    let temporary: (id: String, secret: String, token: String)

    init(mode: String = "stateless") async throws {
        server = try await (mode == "stateful" ? Self.stateful : Self.stateless).value
        tag = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(12)).uppercased()
        longTerm = ("AKIDLONG" + tag, "s3cr3t-long-term-\(tag)")
        temporary = ("ASIASIGV" + tag, "s3cr3t-temporary-\(tag)", "s3cr3t-session-token-\(tag)")
        home = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-\(tag)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws/sso/cache"),
                                                withIntermediateDirectories: true)
        try await register(longTerm.id, longTerm.secret)
        try await register(temporary.id, temporary.secret, temporary.token)
    }

    deinit {
        try? FileManager.default.removeItem(at: home)
    }

    /// Adds a key the verifier accepts (under this test's tag).
    func register(_ id: String, _ secret: String, _ token: String? = nil) async throws {
        let path = "/_sigv4/register/\(tag)/\(id)/\(secret)" + (token.map { "/\($0)" } ?? "")
        _ = try await ServerProcess.curl(["-s", "--max-time", "5", server.url(path)])
    }

    func url(_ path: String) -> String { server.url(path) }

    /// `--aws-sigv4` for the verifier's service and region (loopback hosts name neither).
    static let flags = ["--aws-sigv4", "--aws-service", service, "--aws-region", region]

    /// The environment a bridge runs with; `extra` adds a credential source.
    func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment: [String: String] = [:]
        for name in ProcessInfo.processInfo.environment.keys where name.hasPrefix("AWS_") { environment[name] = "" }
        environment["HOME"] = home.path
        environment["AWS_CONFIG_FILE"] = home.appendingPathComponent(".aws/config").path
        environment["AWS_SHARED_CREDENTIALS_FILE"] = home.appendingPathComponent(".aws/credentials").path
        environment["AWS_EC2_METADATA_DISABLED"] = "true"
        environment.merge(extra) { _, new in new }
        return environment
    }

    var temporaryKeyEnvironment: [String: String] {
        ["AWS_ACCESS_KEY_ID": temporary.id, "AWS_SECRET_ACCESS_KEY": temporary.secret,
         "AWS_SESSION_TOKEN": temporary.token]
    }

    /// Everything secret about this test's keys, plus the signature itself and the marks of minted secrets and tokens.
    var secrets: [String] {
        [temporary.secret, temporary.token, temporary.id, longTerm.secret, "Signature=", "minted-secret-", "tok-"]
    }

    /// A stand-in's path under this test's tag: `/container/TAG/305/9`.
    func standIn(_ kind: String, expires: Int, valid: Int) -> String { "/\(kind)/\(tag)/\(expires)/\(valid)" }

    func write(_ text: String, to relativePath: String) throws {
        let file = home.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file, options: .atomic)
    }

    func path(_ relativePath: String) -> String { home.appendingPathComponent(relativePath).path }

    /// What the verifier saw: each verified request and each refusal; the STS stand-in's calls.
    struct Stats {
        var verified: [[String: Any]]
        var refused: [[String: Any]]
        var minted: [String: Int]
        var sts: [[String: Any]]

        var keys: [String] { verified.compactMap { $0["key"] as? String } }
        var refusalTypes: [String] { refused.compactMap { $0["type"] as? String } }
    }

    func stats() async throws -> Stats {
        let data = try await ServerProcess.curl(["-s", "--max-time", "5", server.url("/_sigv4/stats/\(tag)")])
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("/_sigv4/stats is not a JSON object")
        }
        return Stats(verified: object["verified"] as? [[String: Any]] ?? [],
                     refused: object["refused"] as? [[String: Any]] ?? [],
                     minted: object["minted"] as? [String: Int] ?? [:],
                     sts: object["sts"] as? [[String: Any]] ?? [])
    }

    /// From now on the verifier refuses `key` as expired, as AWS refuses a temporary key past its time.
    func expire(_ key: String) async throws {
        _ = try await ServerProcess.curl(["-s", "--max-time", "5", server.url("/_sigv4/expire/\(key)")])
    }

    /// The STS stand-in as the SDKs' endpoint override (`AWS_ENDPOINT_URL_STS`): role credentials it issues have an
    /// Expiration `expires` seconds ahead and are accepted for `valid` seconds.
    func stsEnvironment(expires: Int = 3600, valid: Int = 3600) -> [String: String] {
        ["AWS_ENDPOINT_URL_STS": url(standIn("sts", expires: expires, valid: valid))]
    }

    /// A `credential_process` that fetches a freshly minted key from the verifier (Expiration `expires` seconds
    /// ahead, accepted for `valid` seconds).
    func mintingProcess(expires: Int, valid: Int) -> String {
        "\(TestEnvironment.python) -c \"import sys,urllib.request;sys.stdout.write(urllib.request.urlopen("
            + "sys.argv[1]).read().decode())\" \(url(standIn("mint", expires: expires, valid: valid)))"
    }
}

/// Bridges in front of a verifier, as the SigV4 suites drive them.
extension SigV4Server {
    /// A bridge that made its handshake; `echo` proves a later call is still accepted.
    func startBridge(flags: [String] = SigV4Server.flags, environment extra: [String: String]) async throws
        -> BridgeProcess {
        let bridge = try BridgeProcess([url("/mcp")] + flags, environment: environment(extra))
        let initialized = try await bridge.handshake()
        #expect(initialized["result"] != nil, "initialize: \(initialized); stderr: \(bridge.stderr.text)")
        return bridge
    }

    /// Calls, waits until minted credentials (an Expiration 305 s ahead) are inside the 300 s refresh margin, calls
    /// again and ends the bridge: the verifier's record of it, which must hold no refused request. `between` runs
    /// after the first call (a platform rotating a token file, say).
    func callAcrossARefresh(_ bridge: BridgeProcess, between: () throws -> Void = {},
                            sourceLocation: SourceLocation = #_sourceLocation) async throws -> Stats {
        #expect(try await bridge.echo(id: 2).toolText == "call 2", sourceLocation: sourceLocation)
        try between()
        try await Task.sleep(for: .milliseconds(5600))
        let later = try await bridge.echo(id: 3)
        #expect(later.toolText == "call 3", "\(later); stderr: \(bridge.stderr.text)", sourceLocation: sourceLocation)
        #expect(try await bridge.finish().status == 0, sourceLocation: sourceLocation)
        let stats = try await stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)", sourceLocation: sourceLocation)
        return stats
    }

    /// The host's `initialize` answered by a bridge that cannot get credentials: the error, after the bridge exited.
    func initializeError(flags: [String] = SigV4Server.flags, environment extra: [String: String]) async throws
        -> (code: Int?, message: String) {
        let bridge = try BridgeProcess([url("/mcp")] + flags, environment: environment(extra))
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(try await bridge.finish().status == 0)
        return (response.errorCode, response.errorMessage ?? "\(response)")
    }
}

extension BridgeProcess {
    /// Calls the server's `echo` tool.
    func echo(id: Int) async throws -> [String: Any] {
        try send(Messages.call(id: id, tool: "echo", arguments: #"{"text":"call \#(id)"}"#))
        return try await readResponse(id: id).response
    }
}
