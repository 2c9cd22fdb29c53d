import Foundation

/// A `sigv4_verifier.py` of one test's own (its stats hold only that test's traffic), and an AWS environment in a
/// temporary home: no shared files unless the test writes them, IMDS off unless the test points it at the
/// verifier, and every inherited AWS variable blanked so the machine's own credentials never play a part.
final class SigV4Server: @unchecked Sendable {
    static let region = "us-west-2"
    static let service = "bedrock-agentcore"
    /// Keys the verifier knows from its start: a long-term key and a temporary one with its token.
    static let longTerm = (id: "AKIDSIGV4LONGTERM01", secret: "s3cr3t-long-term-secret-key")
    static let temporary = (id: "ASIASIGV4TEMPORARY1", secret: "s3cr3t-temporary-secret", token: "s3cr3t-session-token")

    let server: ServerProcess
    let home: URL

    init(mode: String = "stateless", keys: [String] = []) async throws {
        let all = ["\(Self.longTerm.id):\(Self.longTerm.secret)",
                   "\(Self.temporary.id):\(Self.temporary.secret):\(Self.temporary.token)"] + keys
        server = try await ServerProcess(script: "sigv4_verifier.py", arguments: [
            "--region", Self.region, "--service", Self.service, "--mode", mode, "--port", "0",
        ] + all.flatMap { ["--key", $0] })
        home = FileManager.default.temporaryDirectory.appendingPathComponent("sigv4-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home.appendingPathComponent(".aws/sso/cache"),
                                                withIntermediateDirectories: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: home)
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

    static var temporaryKeyEnvironment: [String: String] {
        ["AWS_ACCESS_KEY_ID": temporary.id, "AWS_SECRET_ACCESS_KEY": temporary.secret,
         "AWS_SESSION_TOKEN": temporary.token]
    }

    func write(_ text: String, to relativePath: String) throws {
        let file = home.appendingPathComponent(relativePath)
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(text.utf8).write(to: file, options: .atomic)
    }

    func path(_ relativePath: String) -> String { home.appendingPathComponent(relativePath).path }

    /// What the verifier saw: each verified request and each refusal.
    struct Stats {
        var verified: [[String: Any]]
        var refused: [[String: Any]]
        var minted: [String: Int]

        var keys: [String] { verified.compactMap { $0["key"] as? String } }
        var refusalTypes: [String] { refused.compactMap { $0["type"] as? String } }
    }

    func stats() async throws -> Stats {
        let data = try await ServerProcess.curl(["-s", "--max-time", "5", server.url("/_sigv4/stats")])
        guard let object = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TestFailure("/_sigv4/stats is not a JSON object")
        }
        return Stats(verified: object["verified"] as? [[String: Any]] ?? [],
                     refused: object["refused"] as? [[String: Any]] ?? [],
                     minted: object["minted"] as? [String: Int] ?? [:])
    }

    /// From now on the verifier refuses `key` as expired, as AWS refuses a temporary key past its time.
    func expire(_ key: String) async throws {
        _ = try await ServerProcess.curl(["-s", "--max-time", "5", server.url("/_sigv4/expire/\(key)")])
    }

    /// A `credential_process` that fetches a freshly minted key from the verifier (Expiration `expires` seconds
    /// ahead, accepted for `valid` seconds).
    func mintingProcess(expires: Int, valid: Int) -> String {
        "\(TestEnvironment.python) -c \"import sys,urllib.request;sys.stdout.write(urllib.request.urlopen("
            + "sys.argv[1]).read().decode())\" \(url("/mint/\(expires)/\(valid)"))"
    }
}
