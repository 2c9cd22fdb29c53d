import Foundation
import Testing

@testable import MCPBridge

/// Where `--aws-sigv4` finds credentials, and that it reads them again when they change or expire: each source
/// against the verifier, whose stand-ins mint temporary keys that stop working after a few seconds.
@Suite("AWS SigV4 credential sources")
struct SigV4CredentialTests {
    /// Minted keys are accepted for 9 s and report an Expiration 305 s ahead, i.e. inside the 300 s refresh margin
    /// after 5 s: a bridge that re-reads in time is never refused.
    private func expectRefreshedAheadOfExpiry(_ verifier: SigV4Server, source: String,
                                              environment: [String: String], flags: [String] = SigV4Server.flags)
        async throws {
        let bridge = try await verifier.startBridge(flags: flags, environment: environment)
        let stats = try await verifier.callAcrossARefresh(bridge)
        #expect((stats.minted[source] ?? 0) >= 2, "minted: \(stats.minted)")
        #expect(Set(stats.keys).count >= 2, "keys used: \(stats.keys)")
        #expect(!bridge.stderr.text.contains("tok-"), "a session token reached stderr")
    }

    @Test func environmentCredentialsWithoutAToken() async throws {
        let verifier = try await SigV4Server()
        let bridge = try await verifier.startBridge(environment: [
            "AWS_ACCESS_KEY_ID": verifier.longTerm.id, "AWS_SECRET_ACCESS_KEY": verifier.longTerm.secret,
        ])
        #expect(try await bridge.echo(id: 2).toolText == "call 2")
        #expect(try await bridge.finish().status == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty && Set(stats.keys) == [verifier.longTerm.id], "\(stats.verified)")
    }

    /// Expired temporary credentials in the environment cannot be renewed from inside the bridge: it says so and
    /// sends nothing AWS would refuse anyway.
    @Test func expiredEnvironmentCredentialsAreReportedNotSent() async throws {
        let verifier = try await SigV4Server()
        var environment = verifier.temporaryKeyEnvironment
        environment["AWS_CREDENTIAL_EXPIRATION"] = "2020-01-01T00:00:00Z"
        let bridge = try BridgeProcess([verifier.url("/mcp")] + SigV4Server.flags,
                                       environment: verifier.environment(environment))
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        #expect(response.errorCode == -32009)
        #expect(response.errorMessage?.contains("expired at 2020-01-01T00:00:00Z") == true, "\(response)")
        #expect(try await bridge.finish().status == 0)
        #expect(try await verifier.stats().verified.isEmpty)
    }

    /// A named profile in the shared credentials file, its region from the config file; rotating the keys in the
    /// file takes effect on the next request.
    @Test func sharedFileProfileIsReadAgainWhenTheFileChanges() async throws {
        let verifier = try await SigV4Server()
        try verifier.write("[profile dev]\nregion = \(SigV4Server.region)\n", to: ".aws/config")
        try verifier.write("[dev]\naws_access_key_id = \(verifier.longTerm.id)\naws_secret_access_key = "
            + "\(verifier.longTerm.secret)\n", to: ".aws/credentials")
        let flags = ["--aws-sigv4", "--aws-service", SigV4Server.service, "--aws-profile", "dev"]
        let bridge = try await verifier.startBridge(flags: flags, environment: [:])
        #expect(try await bridge.echo(id: 2).toolText == "call 2")
        try verifier.write("[dev]\naws_access_key_id = \(verifier.temporary.id)\naws_secret_access_key = "
            + "\(verifier.temporary.secret)\naws_session_token = \(verifier.temporary.token)\n",
            to: ".aws/credentials")
        #expect(try await bridge.echo(id: 3).toolText == "call 3")
        #expect(try await bridge.finish().status == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)")
        #expect(stats.keys.first == verifier.longTerm.id && stats.keys.last == verifier.temporary.id,
                "\(stats.keys)")
    }

    @Test func credentialProcessIsRunAgainBeforeItsCredentialsExpire() async throws {
        let verifier = try await SigV4Server()
        try verifier.write("[default]\ncredential_process = \(verifier.mintingProcess(expires: 305, valid: 9))\n",
                           to: ".aws/config")
        try await expectRefreshedAheadOfExpiry(verifier, source: "process", environment: [:])
    }

    /// Credentials without an Expiration that AWS stops accepting (a revoked or rotated key): the 403
    /// ExpiredToken makes the bridge read them again and resend the request once, so the host sees no error.
    @Test func credentialsAWSRefusesAsExpiredAreReplacedAndTheRequestResent() async throws {
        let verifier = try await SigV4Server()
        let expiring = (id: "ASIAEXPR" + verifier.tag, secret: "s3cr3t-expiring", token: "s3cr3t-expiring-token")
        try await verifier.register(expiring.id, expiring.secret, expiring.token)
        func document(_ id: String, _ secret: String, _ token: String) -> String {
            #"{"Version": 1, "AccessKeyId": "\#(id)", "SecretAccessKey": "\#(secret)", "SessionToken": "\#(token)"}"#
        }
        try verifier.write(document(expiring.id, expiring.secret, expiring.token), to: "helper.json")
        try verifier.write("[default]\ncredential_process = cat \(verifier.path("helper.json"))\n", to: ".aws/config")
        let bridge = try await verifier.startBridge(environment: [:])
        try verifier.write(document(verifier.temporary.id, verifier.temporary.secret,
                                    verifier.temporary.token), to: "helper.json")
        try await verifier.expire(expiring.id)
        #expect(try await bridge.echo(id: 2).toolText == "call 2", "stderr: \(bridge.stderr.text)")
        #expect(try await bridge.finish().status == 0)
        let stats = try await verifier.stats()
        #expect(stats.refusalTypes == ["ExpiredTokenException"], "refused: \(stats.refused)")
        #expect(stats.keys.first == expiring.id && stats.keys.last == verifier.temporary.id, "\(stats.keys)")
    }

    @Test func containerEndpointCredentialsAreRefreshed() async throws {
        let verifier = try await SigV4Server()
        try verifier.write("container-token\n", to: "container-token")
        try await expectRefreshedAheadOfExpiry(verifier, source: "container", environment: [
            "AWS_CONTAINER_CREDENTIALS_FULL_URI": verifier.url(verifier.standIn("container", expires: 305, valid: 9)),
            "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE": verifier.path("container-token"),
        ])
    }

    @Test func instanceMetadataCredentialsAreRefreshed() async throws {
        let verifier = try await SigV4Server()
        try await expectRefreshedAheadOfExpiry(verifier, source: "imds", environment: [
            "AWS_EC2_METADATA_DISABLED": "false",
            "AWS_EC2_METADATA_SERVICE_ENDPOINT": verifier.url(verifier.standIn("imds", expires: 305, valid: 9)),
        ])
    }

    /// An SSO profile: the token `aws sso login` cached, exchanged at the portal (a stand-in) for role credentials.
    @Test func ssoProfilesUseTheCachedTokenAndAreRefreshed() async throws {
        let verifier = try await SigV4Server()
        try verifier.write("""
            [profile corp-dev]
            sso_session = corp
            sso_account_id = 123456789012
            sso_role_name = McpInvoker
            [sso-session corp]
            sso_region = us-east-1
            sso_start_url = https://corp.awsapps.com/start
            """, to: ".aws/config")
        let cache = SSOCredentials.cacheFile(for: "corp", home: verifier.home.path)
        try Data(#"{"accessToken": "sso-token", "expiresAt": "2099-01-01T00:00:00Z"}"#.utf8)
            .write(to: URL(fileURLWithPath: cache))
        try await expectRefreshedAheadOfExpiry(
            verifier, source: "sso", environment: ["AWS_ENDPOINT_URL_SSO": verifier.url(verifier.standIn("sso", expires: 305, valid: 9))],
            flags: SigV4Server.flags + ["--aws-profile", "corp-dev"])
        // Expired, then missing: both say to log in again.
        try Data(#"{"accessToken": "sso-token", "expiresAt": "2020-01-01T00:00:00Z"}"#.utf8)
            .write(to: URL(fileURLWithPath: cache))
        try await expectLoginAdvice(verifier, mentioning: "expired at 2020-01-01T00:00:00Z")
        try FileManager.default.removeItem(atPath: cache)
        try await expectLoginAdvice(verifier, mentioning: "no cached SSO token")
    }

    private func expectLoginAdvice(_ verifier: SigV4Server, mentioning detail: String) async throws {
        let bridge = try BridgeProcess([verifier.url("/mcp")] + SigV4Server.flags + ["--aws-profile", "corp-dev"],
                                       environment: verifier.environment())
        try bridge.send(Messages.initialize())
        let (response, _) = try await bridge.readResponse(id: 1)
        let message = response.errorMessage ?? ""
        #expect(message.contains("aws sso login --profile corp-dev") && message.contains(detail), "\(response)")
        #expect(try await bridge.finish().status == 0)
    }
}
