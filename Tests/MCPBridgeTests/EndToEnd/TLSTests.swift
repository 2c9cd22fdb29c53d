import Foundation
import Testing

/// TLS is verified by default: a self-signed server is refused until its CA is trusted with `--cacert`, and only
/// an explicit `--insecure` turns verification off, loudly (issue 5, item 7).
@Suite("TLS verification")
struct TLSTests {
    /// A throwaway self-signed certificate for localhost and 127.0.0.1, made with openssl.
    static let certificate: (cert: String, key: String) = {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-bridge-tls-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("cert.pem").path
        let key = directory.appendingPathComponent("key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                             "-days", "2", "-subj", "/CN=localhost",
                             "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        openssl.standardError = FileHandle.nullDevice
        try? openssl.run()
        openssl.waitUntilExit()
        return (cert, key)
    }()

    private static func server() async throws -> ServerProcess {
        let (cert, key) = certificate
        return try await ServerProcess(script: "fault_server.py",
                                       arguments: ["--port", "0", "--tls-cert", cert, "--tls-key", key])
    }

    private static let request = #"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#

    @Test func aSelfSignedServerIsRefusedByDefault() async throws {
        let server = try await Self.server()
        let bridge = try BridgeProcess(["https://localhost:\(server.port)/json", "--retries", "0"])
        try bridge.send(Self.request)
        let response = try await bridge.readMessage()
        #expect(response.errorCode == -32003)
        #expect(response.errorMessage?.contains("--cacert") == true)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func trustingItsCAWithCacertConnects() async throws {
        let server = try await Self.server()
        let bridge = try BridgeProcess(["https://localhost:\(server.port)/json", "--cacert", Self.certificate.cert])
        try bridge.send(Self.request)
        let response = try await bridge.readMessage()
        #expect((response.result?["echo"] as? String) == "tools/list", "\(response)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func insecureConnectsButWarnsLoudly() async throws {
        let server = try await Self.server()
        let bridge = try BridgeProcess(["https://localhost:\(server.port)/json", "--insecure"])
        try bridge.send(Self.request)
        let response = try await bridge.readMessage()
        #expect((response.result?["echo"] as? String) == "tools/list")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        #expect(bridge.stderr.text.contains("warning: --insecure"))
    }
}
