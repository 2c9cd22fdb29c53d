import Foundation
import Testing

/// `--aws-sigv4` end to end: the built bridge in front of `sigv4_verifier.py`, where botocore recomputes every
/// signature and refuses bad ones with 403 the way AWS does, in front of the real mcp 2.x server.
@Suite("AWS SigV4 signing")
struct SigV4Tests {
    /// A session's every exchange — initialize, notifications, calls with SSE replies, the GET stream, the DELETE —
    /// is signed with the session token, and nothing secret reaches stderr even with --debug.
    @Test func everyRequestOfASessionIsSigned() async throws {
        let verifier = try await SigV4Server(mode: "stateful")
        let bridge = try BridgeProcess([verifier.url("/mcp")] + SigV4Server.flags + ["--debug", "--protocol", "legacy"],
                                       environment: verifier.environment(verifier.temporaryKeyEnvironment))
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "progress", arguments: #"{"steps":3}"#,
                                      meta: #"{"progressToken":"p1"}"#))
        let (call, before) = try await bridge.readResponse(id: 2)
        #expect(call.toolText == "done", "\(call)")
        #expect(before.filter { $0["method"] as? String == "notifications/progress" }.count == 3,
                "the SSE reply's notifications: \(before)")
        try bridge.send(Messages.call(id: 3, tool: "request_headers"))
        let (headers, _) = try await bridge.readResponse(id: 3)
        #expect(headers.toolText?.contains("x-amz-security-token") == true, "\(headers)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)")
        let methods = Set(stats.verified.compactMap { $0["method"] as? String })
        #expect(methods.isSuperset(of: ["POST", "GET", "DELETE"]), "verified: \(stats.verified)")
        #expect(stats.verified.allSatisfy { $0["token"] as? Bool == true })
        #expect(stats.verified.allSatisfy { ($0["signed_headers"] as? [String])?.contains("mcp-session-id") == true
            || ($0["method"] as? String) == "POST" })
        for secret in verifier.secrets {
            #expect(!bridge.stderr.text.contains(secret), "\(secret) leaked: \(bridge.stderr.text)")
        }
    }

    /// AgentCore Runtime's form: a percent-encoded ARN in the path (signed encoded twice) and a query in no
    /// particular order (signed sorted); a `--header` of the user's is signed too.
    @Test func runtimeARNPathsAndUnsortedQueriesVerify() async throws {
        let verifier = try await SigV4Server()
        let path = "/runtimes/arn%3Aaws%3Abedrock-agentcore%3Aus-west-2%3A123456789012%3Aruntime%2Fmcp_srv-AbC12/"
            + "invocations?qualifier=DEFAULT&accountId=123456789012&zeta=%2Bplus&alpha=a%20b"
        let bridge = try BridgeProcess([verifier.url(path), "--header", "X-Tenant:  blue   team"] + SigV4Server.flags,
                                       environment: verifier.environment(verifier.temporaryKeyEnvironment))
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "echo", arguments: #"{"text":"runtime"}"#))
        #expect(try await bridge.readResponse(id: 2).response.toolText == "runtime")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)")
        #expect(!stats.verified.isEmpty)
        #expect(stats.verified.allSatisfy { ($0["raw_path"] as? String)?.contains("arn%3Aaws%3A") == true })
        #expect(stats.verified.allSatisfy { ($0["query"] as? String)?.hasPrefix("qualifier=DEFAULT") == true })
        #expect(stats.verified.allSatisfy { ($0["signed_headers"] as? [String])?.contains("x-tenant") == true })
    }

    /// A 307 is followed with a new signature for the new URL, and a 503 is retried with a new signature (and
    /// date): the verifier sees every hop and every attempt, and refuses none.
    @Test func retriesAndRedirectHopsAreEachSignedAfresh() async throws {
        let verifier = try await SigV4Server()
        let bridge = try BridgeProcess([verifier.url("/redirect/flaky/mcp?b=2&a=1")] + SigV4Server.flags
                                           + ["--protocol", "legacy"],
                                       environment: verifier.environment(verifier.temporaryKeyEnvironment))
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "echo", arguments: #"{"text":"hops"}"#))
        #expect(try await bridge.readResponse(id: 2).response.toolText == "hops")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)")
        let paths = stats.verified.compactMap { $0["raw_path"] as? String }
        #expect(paths.contains("/redirect/flaky/mcp"), "the first hop: \(paths)")
        // Every other /flaky request is answered 503, so each answered one was preceded by a refused-and-retried one.
        #expect(paths.filter { $0 == "/flaky/mcp" }.count >= 4, "retried attempts: \(paths)")
    }

    /// Signing for a region the endpoint is not in: AWS's own words reach the host, with what was signed.
    @Test func aWrongRegionRelaysAWSsErrorClearly() async throws {
        let verifier = try await SigV4Server()
        let flags = ["--aws-sigv4", "--aws-service", SigV4Server.service, "--aws-region", "eu-west-1"]
        let bridge = try BridgeProcess([verifier.url("/mcp")] + flags,
                                       environment: verifier.environment(verifier.temporaryKeyEnvironment))
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009, "\(response)")
        let message = response.errorMessage ?? ""
        #expect(message.contains("Credential should be scoped to a valid region"), "\(message)")
        #expect(message.contains("eu-west-1") && message.contains("--aws-region"), "\(message)")
        #expect(!message.contains(verifier.temporary.secret) && !message.contains(verifier.temporary.token))
        try bridge.closeStdin()
        _ = try await bridge.waitForExit()
        #expect(try await verifier.stats().verified.isEmpty)
    }

    /// `check` says who it signs as (the access key id's prefix only), for which service and region.
    @Test func checkReportsTheSigningIdentity() async throws {
        let verifier = try await SigV4Server()
        let run = try await BridgeProcess.runToEnd(["check", verifier.url("/mcp")] + SigV4Server.flags,
                                                   environment: verifier.environment(verifier.temporaryKeyEnvironment))
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let line = run.stdout.split(separator: "\n").first { $0.contains("aws sigv4") }.map(String.init) ?? ""
        #expect(line.contains("ASIASIGV…") && line.contains(SigV4Server.service) && line.contains(SigV4Server.region),
                "\(run.stdout)")
        for secret in verifier.secrets {
            #expect(!(run.stdout + run.stderr).contains(secret), "\(secret) leaked: \(run.stdout)\(run.stderr)")
        }
        #expect(try await verifier.stats().refused.isEmpty)
    }

    /// No source has credentials: the host hears what was looked at and what to do, and nothing is sent.
    @Test func noCredentialsIsAClearError() async throws {
        let verifier = try await SigV4Server()
        let bridge = try BridgeProcess([verifier.url("/mcp")] + SigV4Server.flags, environment: verifier.environment())
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009, "\(response)")
        #expect(response.errorMessage?.contains("no AWS credentials found") == true, "\(response)")
        try bridge.closeStdin()
        _ = try await bridge.waitForExit()
        let stats = try await verifier.stats()
        #expect(stats.verified.isEmpty && stats.refused.isEmpty)
    }

    @Test func theFlagsAreCheckedAtLaunch() async throws {
        let withoutSigning = try await BridgeProcess.runToEnd(["https://example.com/mcp", "--aws-region", "us-east-1"])
        #expect(withoutSigning.status == 64 && withoutSigning.stderr.contains("--aws-region needs --aws-sigv4"))
        let unknownHost = try await BridgeProcess.runToEnd(["https://mcp.example.com/mcp", "--aws-sigv4"])
        #expect(unknownHost.status == 64 && unknownHost.stderr.contains("--aws-service"), "\(unknownHost.stderr)")
        let withBearer = try await BridgeProcess.runToEnd([
            "https://abc.gateway.bedrock-agentcore.us-west-2.amazonaws.com/mcp", "--aws-sigv4",
            "--header", "Authorization: Bearer x",
        ])
        #expect(withBearer.status == 64 && withBearer.stderr.contains("Authorization"), "\(withBearer.stderr)")
    }
}
