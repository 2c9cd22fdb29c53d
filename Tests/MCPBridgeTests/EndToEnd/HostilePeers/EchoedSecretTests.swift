import Foundation
import Testing

/// A server that repeats the secrets it was sent (header values, URL query values) in its error bodies: none of
/// them reaches stderr, at any log level, nor the `message` or `data.body` of the bridge's errors on stdout.
@Suite("Hostile peers: echoed secrets", .serialized)
struct EchoedSecretTests {
    static let secrets = ["s3cr3t-bearer-1", "s3cr3t-apikey-1", "s3cr3t-cookie-1", "s3cr3t-query-1", "plainvalue9",
                          "c2VjcmV0OnBhc3M="]

    @Test(arguments: ["echo-secret", "echo-secret-json"], [[], ["--debug"]])
    func echoedSecretsAreRedacted(_ fault: String, _ level: [String]) async throws {
        let query = "fault=\(fault)&access_token=s3cr3t-query-1&plain=plainvalue9"
        let peer = try await HostilePeer("secret-\(fault)-\(level.count)", query: query, arguments: [
            "--header", "Authorization: Bearer ${TEST_BEARER}", "--header", "X-Api-Key: s3cr3t-apikey-1",
            "--header", "Cookie: session=s3cr3t-cookie-1; theme=dark", "--header", "X-Basic: Basic c2VjcmV0OnBhc3M=",
        ] + level, environment: ["TEST_BEARER": "s3cr3t-bearer-1"])
        try await peer.handshake()
        try peer.request(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#), id: .int(2))
        let answer = try await peer.response(to: .int(2))
        #expect(answer.errorCode == -32004, "\(answer)")
        try peer.send(Messages.logNotification)
        try await peer.finish()
        let log = try peer.log()
        #expect(log.contains { ($0["headers"] as? [String: String])?["authorization"] == "Bearer s3cr3t-bearer-1" },
                "the secret must still reach the server")
        let body = answer.errorData?["body"] as? String ?? ""
        #expect(body.contains("***"), "the body excerpt is kept, redacted: \(body)")
        let stdout = peer.bridge.stdout.text
        for secret in Self.secrets {
            #expect(!stdout.contains(secret), "\(secret) on stdout: \(stdout)")
            #expect(!peer.bridge.stderr.text.contains(secret), "\(secret) on stderr: \(peer.bridge.stderr.text)")
        }
    }
}
