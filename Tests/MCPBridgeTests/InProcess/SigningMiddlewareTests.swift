import Testing

@testable import BridgeHTTP
@testable import BridgeRuntime
@testable import MCPBridge

/// `SigningMiddleware` against a scripted client: what it adds, what it leaves alone, and which refusals it
/// answers itself.
struct SigningMiddlewareTests {
    static let environment = ["AWS_ACCESS_KEY_ID": "AKIDUNITTEST0001", "AWS_SECRET_ACCESS_KEY": "s3cr3t",
                              "AWS_SESSION_TOKEN": "t0ken", "HOME": "/nonexistent"]

    private func signing() -> AWSRequestSigning {
        AWSRequestSigning(AWSSigningConfiguration(service: "execute-api", region: "eu-west-1", profile: nil,
                                                  environment: Self.environment),
                          http: ScriptedClient([]), logger: testLogger)
    }

    private func value(_ name: String, in request: HTTPRequest) -> String? {
        request.headers.first { $0.name.lowercased() == name }?.value
    }

    @Test func withoutTheFlagTheRequestGoesOutUntouched() async throws {
        let client = ScriptedClient([.respond(200, body: "ok")])
        let layer = SigningMiddleware(next: client, signing: nil)
        let reply = try await layer.send(PipelineTests.post(), context: ExchangeContext(label: "t"),
                                         reading: PipelineTests.read)
        #expect(reply == "ok")
        #expect(client.sent.first?.headers.isEmpty == true)
    }

    @Test func everyAttemptOfARetryIsSigned() async throws {
        let client = ScriptedClient([.respond(503, body: "busy"), .respond(200, body: "ok")])
        var policy = RetryPolicy(maxRetries: 2, budget: .seconds(60))
        policy.backoff = Backoff(initial: .milliseconds(1), maximum: .milliseconds(2))
        let pipeline = RetryMiddleware(next: SigningMiddleware(next: client, signing: signing()), policy: policy,
                                       logger: testLogger)
        let context = ExchangeContext(label: "tools/call", mayRetry: true)
        #expect(try await pipeline.send(PipelineTests.post(), context: context, reading: PipelineTests.read) == "ok")
        #expect(client.sent.count == 2)
        for request in client.sent {
            #expect(value("authorization", in: request)?.contains("/eu-west-1/execute-api/aws4_request") == true)
            #expect(value("x-amz-security-token", in: request) == "t0ken")
            #expect(request.headers.filter { $0.name.lowercased() == "authorization" }.count == 1)
        }
    }

    /// A 403 that is not AWS's (no `x-amzn-ErrorType`) is the MCP layer's to read, body and all.
    @Test func aServersOwn403ReachesTheReader() async throws {
        let client = ScriptedClient([.respond(403, body: #"{"jsonrpc":"2.0","id":1,"error":{"code":-1}}"#)])
        let layer = SigningMiddleware(next: client, signing: signing())
        let seen = try await layer.send(PipelineTests.post(), context: ExchangeContext(label: "t")) { response in
            (response.status, String(decoding: await response.collect(upTo: 1000), as: UTF8.self))
        }
        #expect(seen.0 == 403 && seen.1.contains("jsonrpc"))
    }

    /// AWS's refusal is worded with what was signed; an expired key that reads back the same is not resent.
    @Test func awsRefusalsNameTheKeyRegionAndServiceAndAreNotResentInVain() async throws {
        let body = #"{"message":"The security token included in the request is expired"}"#
        let client = ScriptedClient([.respond(403, headers: [("x-amzn-ErrorType", "ExpiredTokenException:")],
                                              body: body), .respond(200, body: "ok")])
        let layer = SigningMiddleware(next: client, signing: signing())
        do {
            _ = try await layer.send(PipelineTests.post(), context: ExchangeContext(label: "t"),
                                     reading: PipelineTests.read)
            Issue.record("expected AWS's refusal")
        } catch let error as BridgeError {
            #expect(error.code == .unauthorized && error.httpStatus == 403)
            #expect(error.message.contains("ExpiredTokenException") && error.message.contains("is expired"))
            #expect(error.message.contains("AKIDUNIT…") && error.message.contains("eu-west-1"))
            #expect(!error.message.contains("s3cr3t") && !error.message.contains("t0ken"))
        }
        #expect(client.sent.count == 1, "the environment gives the same key again: resending would be refused")
    }
}
