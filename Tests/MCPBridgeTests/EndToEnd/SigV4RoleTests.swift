import Foundation
import Testing

/// Role credentials for `--aws-sigv4`: `role_arn` profiles (AssumeRole, signed with the source credentials and
/// checked by botocore) and web identity (AssumeRoleWithWebIdentity, EKS IRSA), against the verifier's STS stand-in,
/// whose minted keys the verifier in front of the MCP server then accepts.
@Suite("AWS SigV4 role credentials")
struct SigV4RoleTests {
    static let role = "arn:aws:iam::123456789012:role/McpInvoker"

    private func baseKeys(_ verifier: SigV4Server) throws {
        try verifier.write("[base]\naws_access_key_id = \(verifier.longTerm.id)\naws_secret_access_key = "
            + "\(verifier.longTerm.secret)\n", to: ".aws/credentials")
    }

    private func expectNoSecrets(_ text: String, _ verifier: SigV4Server, also: [String] = []) {
        for secret in verifier.secrets + also {
            #expect(!text.contains(secret), "\(secret) leaked: \(text)")
        }
    }

    /// The common enterprise profile: a role assumed with a user's static keys, with every AssumeRole option.
    @Test func aSourceProfileWithStaticKeysAssumesTheRole() async throws {
        let verifier = try await SigV4Server()
        try baseKeys(verifier)
        try verifier.write("""
            [profile invoker]
            role_arn = \(Self.role)
            source_profile = base
            external_id = ext-7
            duration_seconds = 900
            role_session_name = claude-desktop
            """, to: ".aws/config")
        let bridge = try await verifier.startBridge(flags: SigV4Server.flags + ["--aws-profile", "invoker", "--debug"],
                                                    environment: verifier.stsEnvironment())
        #expect(try await bridge.echo(id: 2).toolText == "call 2")
        #expect(try await bridge.finish().status == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)")
        let call = try #require(stats.sts.first, "no STS call")
        #expect(stats.sts.count == 1, "\(stats.sts)")
        #expect(call["action"] as? String == "AssumeRole" && call["role_arn"] as? String == Self.role, "\(call)")
        #expect(call["session_name"] as? String == "claude-desktop" && call["external_id"] as? String == "ext-7"
            && call["duration"] as? String == "900", "\(call)")
        #expect(call["source_key"] as? String == verifier.longTerm.id && call["region"] as? String == SigV4Server.region,
                "\(call)")
        #expect(Set(stats.keys) == [try #require(call["issued"] as? String)], "\(stats.keys)")
        expectNoSecrets(bridge.stderr.text, verifier)
    }

    /// A role assumed with another role's credentials, in the region AWS_REGION names; `check` names the role and
    /// the profile it was assumed through.
    @Test func aChainOfTwoRolesAssumesEachInTurn() async throws {
        let verifier = try await SigV4Server()
        try baseKeys(verifier)
        try verifier.write("""
            [profile outer]
            role_arn = arn:aws:iam::123456789012:role/Outer
            source_profile = inner
            [profile inner]
            role_arn = arn:aws:iam::210987654321:role/Inner
            source_profile = base
            """, to: ".aws/config")
        let flags = SigV4Server.flags + ["--aws-profile", "outer"]
        var environment = verifier.stsEnvironment()
        environment["AWS_REGION"] = "eu-central-1"
        let bridge = try await verifier.startBridge(flags: flags, environment: environment)
        #expect(try await bridge.echo(id: 2).toolText == "call 2")
        #expect(try await bridge.finish().status == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)")
        let roles = stats.sts.compactMap { $0["role_arn"] as? String }
        #expect(roles == ["arn:aws:iam::210987654321:role/Inner", "arn:aws:iam::123456789012:role/Outer"], "\(stats.sts)")
        #expect(stats.sts.first?["source_key"] as? String == verifier.longTerm.id)
        #expect(stats.sts.last?["source_key"] as? String == stats.sts.first?["issued"] as? String, "\(stats.sts)")
        #expect(stats.sts.allSatisfy { $0["region"] as? String == "eu-central-1" }, "\(stats.sts)")
        #expect(stats.sts.allSatisfy { ($0["session_name"] as? String)?.hasPrefix("mcp-bridge-") == true })
        #expect(Set(stats.keys) == [try #require(stats.sts.last?["issued"] as? String)], "\(stats.keys)")

        let run = try await BridgeProcess.runToEnd(["check", verifier.url("/mcp")] + flags,
                                                   environment: verifier.environment(environment))
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        let line = run.stdout.split(separator: "\n").first { $0.contains("aws sigv4") }.map(String.init) ?? ""
        #expect(line.contains("from profile outer (assume role arn:aws:iam::123456789012:role/Outer via profile "
            + "inner)"), "\(run.stdout)")
        expectNoSecrets(run.stdout + run.stderr, verifier)
    }

    /// `credential_source = Environment`: the environment's keys sign the AssumeRole (they are not used directly:
    /// `--aws-profile` names the profile), and the role's credentials are renewed ahead of their Expiration.
    @Test func credentialSourceEnvironmentAssumesTheRoleAndRenewsIt() async throws {
        let verifier = try await SigV4Server()
        try verifier.write("[profile ci]\nrole_arn = \(Self.role)\ncredential_source = Environment\n", to: ".aws/config")
        let environment = verifier.temporaryKeyEnvironment.merging(verifier.stsEnvironment(expires: 305, valid: 9)) { $1 }
        let bridge = try await verifier.startBridge(flags: SigV4Server.flags + ["--aws-profile", "ci"],
                                                    environment: environment)
        let stats = try await verifier.callAcrossARefresh(bridge)
        #expect(stats.sts.count >= 2 && stats.sts.allSatisfy { $0["source_key"] as? String == verifier.temporary.id },
                "\(stats.sts)")
        let issued = Set(stats.sts.compactMap { $0["issued"] as? String })
        #expect(!stats.keys.contains(verifier.temporary.id) && Set(stats.keys).isSubset(of: issued), "\(stats.keys)")
        #expect(Set(stats.keys).count >= 2, "keys used: \(stats.keys)")
    }

    /// AWS stops accepting the role's credentials before their Expiration: the 403 ExpiredToken makes the bridge
    /// assume the role again and resend the request once, so the host sees no error.
    @Test func roleCredentialsAWSRefusesAsExpiredAreReplacedAndTheRequestResent() async throws {
        let verifier = try await SigV4Server()
        try baseKeys(verifier)
        try verifier.write("[default]\nrole_arn = \(Self.role)\nsource_profile = base\n", to: ".aws/config")
        let bridge = try await verifier.startBridge(environment: verifier.stsEnvironment())
        let first = try #require(try await verifier.stats().sts.first?["issued"] as? String)
        try await verifier.expire(first)
        #expect(try await bridge.echo(id: 2).toolText == "call 2", "stderr: \(bridge.stderr.text)")
        #expect(try await bridge.finish().status == 0)
        let stats = try await verifier.stats()
        #expect(stats.refusalTypes == ["ExpiredTokenException"], "refused: \(stats.refused)")
        #expect(stats.sts.count == 2, "\(stats.sts)")
        #expect(stats.keys.first == first && stats.keys.last == stats.sts.last?["issued"] as? String, "\(stats.keys)")
    }

    /// EKS IRSA: AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE; the token file is read again for each renewal (the
    /// platform rotates it), and neither token reaches stderr at --debug.
    @Test func webIdentityFromTheEnvironmentUsesTheRotatedToken() async throws {
        let verifier = try await SigV4Server()
        // As long as an EKS token (a JWT of about a kilobyte).
        let padding = String(repeating: "eyJhbGciOiJSUzI1NiJ9", count: 60)
        let (first, second) = ("wit-first-\(verifier.tag)-\(padding)", "wit-second-\(verifier.tag)-\(padding)")
        try verifier.write(first + "\n", to: "eks-token")
        var environment = verifier.stsEnvironment(expires: 305, valid: 9)
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/PodRole"
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = verifier.path("eks-token")
        environment["AWS_ROLE_SESSION_NAME"] = "pod-7"
        let bridge = try await verifier.startBridge(flags: SigV4Server.flags + ["--debug"], environment: environment)
        let stats = try await verifier.callAcrossARefresh(bridge) { try verifier.write(second + "\n", to: "eks-token") }
        #expect(stats.sts.allSatisfy { $0["action"] as? String == "AssumeRoleWithWebIdentity"
            && $0["session_name"] as? String == "pod-7" }, "\(stats.sts)")
        let tokens = stats.sts.compactMap { $0["token"] as? String }
        #expect(tokens.count >= 2 && tokens.first == first && tokens.last == second, "\(tokens)")
        expectNoSecrets(bridge.stderr.text, verifier, also: [first, second])
    }

    /// A profile's `web_identity_token_file` + `role_arn`; with `--aws-profile` the environment's token file is
    /// not consulted (botocore's rule), so the profile's token is the one sent.
    @Test func webIdentityFromAProfile() async throws {
        let verifier = try await SigV4Server()
        try verifier.write("wit-profile\n", to: "profile-token")
        try verifier.write("wit-environment\n", to: "environment-token")
        try verifier.write("""
            [profile pod]
            role_arn = arn:aws:iam::123456789012:role/PodRole
            web_identity_token_file = \(verifier.path("profile-token"))
            """, to: ".aws/config")
        var environment = verifier.stsEnvironment()
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = verifier.path("environment-token")
        let bridge = try await verifier.startBridge(flags: SigV4Server.flags + ["--aws-profile", "pod"],
                                                    environment: environment)
        #expect(try await bridge.echo(id: 2).toolText == "call 2")
        #expect(try await bridge.finish().status == 0)
        let stats = try await verifier.stats()
        #expect(stats.refused.isEmpty, "refused: \(stats.refused)")
        #expect(stats.sts.compactMap { $0["token"] as? String } == ["wit-profile"], "\(stats.sts)")
        #expect((stats.sts.first?["session_name"] as? String)?.hasPrefix("mcp-bridge-") == true, "\(stats.sts)")
    }

    /// STS refuses the web identity token: AWS's words and what to check, without the token.
    @Test func aRefusedWebIdentityTokenIsReportedWithoutTheToken() async throws {
        let verifier = try await SigV4Server()
        try verifier.write("not-a-jwt-\(verifier.tag)\n", to: "eks-token")
        var environment = verifier.stsEnvironment()
        environment["AWS_ROLE_ARN"] = "arn:aws:iam::123456789012:role/PodRole"
        environment["AWS_WEB_IDENTITY_TOKEN_FILE"] = verifier.path("eks-token")
        let (code, message) = try await verifier.initializeError(environment: environment)
        #expect(code == -32009, "\(message)")
        #expect(message.contains("InvalidIdentityToken") && message.contains("role/PodRole")
            && message.contains("OIDC provider"), "\(message)")
        #expect(!message.contains("not-a-jwt-"), "\(message)")
    }

    /// STS refuses the role: the host gets -32009 with AWS's code and message, the role, and what to check.
    @Test func accessDeniedReachesTheHostInAWSsWords() async throws {
        let verifier = try await SigV4Server()
        try baseKeys(verifier)
        let denied = "arn:aws:iam::123456789012:role/DeniedRole"
        try verifier.write("[default]\nrole_arn = \(denied)\nsource_profile = base\n", to: ".aws/config")
        let (code, message) = try await verifier.initializeError(environment: verifier.stsEnvironment())
        #expect(code == -32009, "\(message)")
        #expect(message.contains("AccessDenied") && message.contains("is not authorized to perform: sts:AssumeRole")
            && message.contains(denied) && message.contains("trust policy"), "\(message)")
        expectNoSecrets(message, verifier)
        #expect(try await verifier.stats().verified.isEmpty)
    }

    /// Profiles the bridge cannot use say why and what to change, before anything reaches STS or the server.
    @Test(arguments: [
        ("[default]\nrole_arn = \(role)\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n",
         ["mfa_serial", "aws configure export-credentials --profile default"]),
        ("[default]\nrole_arn = \(role)\nsource_profile = other\n"
            + "[profile other]\nrole_arn = \(role)\nsource_profile = default\n", ["loop: default → other → default"]),
        ("[default]\nrole_arn = \(role)\nsource_profile = base\ncredential_source = Environment\n",
         ["both source_profile and credential_source"]),
        ("[default]\nrole_arn = \(role)\ncredential_source = Keychain\n", ["Keychain", "Environment, EcsContainer"]),
        // role_arn comes before the profile's own keys (botocore's order): with neither source it is an error.
        ("[default]\nrole_arn = \(role)\naws_access_key_id = AKIDX\naws_secret_access_key = x\n",
         ["neither source_profile nor credential_source"]),
    ])
    func unusableRoleProfilesAreClearErrors(config: String, expected: [String]) async throws {
        let verifier = try await SigV4Server()
        try baseKeys(verifier)
        try verifier.write(config, to: ".aws/config")
        let (code, message) = try await verifier.initializeError(environment: verifier.stsEnvironment())
        #expect(code == -32009, "\(message)")
        for part in expected {
            #expect(message.contains(part), "\(part) not in: \(message)")
        }
        #expect(try await verifier.stats().sts.isEmpty)
    }
}
