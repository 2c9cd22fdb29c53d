import Foundation
import Testing

/// Secrets never reach the logs: header values, tokens in the URL's query, and URL credentials stay out of
/// stderr at every log level, on success and on failure.
@Suite("Secrets stay out of logs")
struct SecretsTests {
    static let secrets = ["s3cr3t-bearer", "s3cr3t-apikey", "s3cr3t-cookie", "s3cr3t-query"]

    @Test(arguments: [[], ["--debug"], ["--silent"]])
    func noSecretAppearsOnStderr(level: [String]) async throws {
        let server = try await SharedServers.stateless.value
        let url = server.url(SharedServers.mcpPath) + "?token=s3cr3t-query"
        let arguments = [url, "--header", "Authorization: Bearer ${TEST_BEARER}", "--header", "X-Api-Key: s3cr3t-apikey",
                         "--header", "Cookie: session=s3cr3t-cookie"] + level
        let bridge = try BridgeProcess(arguments, environment: ["TEST_BEARER": "s3cr3t-bearer"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "request_headers"))
        let (call, _) = try await bridge.readResponse(id: 2)
        #expect(call.toolText?.contains("s3cr3t-bearer") == true, "the header must still reach the server")
        try bridge.send(Messages.call(id: 3, tool: "no_such_tool"))
        _ = try await bridge.readResponse(id: 3)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        for secret in Self.secrets {
            #expect(!bridge.stderr.text.contains(secret), "\(secret) leaked with \(level): \(bridge.stderr.text)")
        }
    }

    @Test func failuresDoNotLeakTheQueryTokenEither() async throws {
        let port = try FaultTools.unusedPort()
        let bridge = try BridgeProcess(["http://127.0.0.1:\(port)/mcp?access_token=s3cr3t-query", "--debug",
                                        "--retries", "0", "--header", "Authorization: Bearer s3cr3t-bearer"])
        try bridge.send(Messages.toolsList(id: 1))
        let response = try await bridge.readMessage()
        #expect(response.errorCode == -32000)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        #expect(!bridge.stderr.text.contains("s3cr3t"), "\(bridge.stderr.text)")
    }

    @Test func credentialsInTheURLAreRefusedWithoutEchoingThem() async throws {
        let bridge = try BridgeProcess(["https://user:s3cr3t-password@127.0.0.1:1/mcp"])
        #expect(try await bridge.waitForExit() == 64)
        #expect(!bridge.stderr.text.contains("s3cr3t"))
        #expect(bridge.stderr.text.contains("--header"))
    }
}
