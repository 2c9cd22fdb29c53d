import Foundation
import Testing

/// TLS is verified by default: a self-signed server is refused until its CA is trusted with `--cacert`, and only
/// an explicit `--insecure` turns verification off, loudly.
@Suite("TLS verification")
struct TLSTests {
    /// Throwaway self-signed certificates made with openssl: the server's (localhost, 127.0.0.1) and a client's.
    static let certificate = makeCertificate(name: "server", subject: "/CN=localhost",
                                             altNames: "DNS:localhost,IP:127.0.0.1")
    static let clientCertificate = makeCertificate(name: "client", subject: "/CN=mcp-bridge-test-client",
                                                   altNames: "DNS:client")

    private static func makeCertificate(name: String, subject: String, altNames: String) -> (cert: String, key: String) {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-bridge-tls-\(getpid())")
        try? FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let cert = directory.appendingPathComponent("\(name)-cert.pem").path
        let key = directory.appendingPathComponent("\(name)-key.pem").path
        let openssl = Process()
        openssl.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        openssl.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                             "-days", "2", "-subj", subject, "-addext", "subjectAltName=\(altNames)"]
        openssl.standardError = FileHandle.nullDevice
        try? openssl.run()
        openssl.waitUntilExit()
        return (cert, key)
    }

    private static func server(requireClientCertificate: Bool = false) async throws -> ServerProcess {
        let (cert, key) = certificate
        var arguments = ["--port", "0", "--tls-cert", cert, "--tls-key", key]
        if requireClientCertificate { arguments += ["--tls-client-ca", clientCertificate.cert] }
        return try await ServerProcess(script: "fault_server.py", arguments: arguments)
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

    @Test func mutualTLSNeedsTheClientCertificate() async throws {
        let server = try await Self.server(requireClientCertificate: true)
        let url = "https://localhost:\(server.port)/json"
        let without = try BridgeProcess([url, "--cacert", Self.certificate.cert, "--retries", "0"])
        try without.send(Self.request)
        let refused = try await without.readMessage()
        #expect(refused.errorCode != nil, "\(refused)")
        let with = try BridgeProcess([url, "--cacert", Self.certificate.cert,
                                      "--cert", Self.clientCertificate.cert, "--key", Self.clientCertificate.key])
        try with.send(Self.request)
        let accepted = try await with.readMessage()
        #expect((accepted.result?["echo"] as? String) == "tools/list", "\(accepted)")
        try with.closeStdin()
        #expect(try await with.waitForExit() == 0)
    }
}
