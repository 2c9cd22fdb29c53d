/// Profiles with `role_arn`, resolved as botocore's `AssumeRoleProvider` resolves them: the source credentials come
/// from `source_profile` (its own credentials, or — when it has no static keys and a `role_arn` of its own — the
/// role it assumes, so chains work) or from `credential_source` (`Environment`, `EcsContainer`,
/// `Ec2InstanceMetadata`); then `AssumeRole` with `role_session_name`, `external_id` and `duration_seconds`. A
/// profile naming itself as `source_profile` uses its own static keys; any other loop is refused. `mfa_serial` is
/// refused: the code would have to be typed on stdin, which is the MCP host's.
///
/// Every refresh walks the chain again (each role's credentials come from STS anew): the chain's cache holds only
/// the end result, and a chain is a few calls an hour.
struct AssumeRoleCredentials: Sendable {
    let profiles: ProfileCredentials

    /// Whether the profile is one for this provider (a `role_arn` with a web identity token file is web identity's).
    static func applies(_ settings: [String: String]) -> Bool {
        settings["role_arn"] != nil && settings["web_identity_token_file"] == nil
    }

    /// botocore's default is `botocore-session-<unix time>`; this names the bridge in CloudTrail instead.
    static func defaultSessionName() -> String { "mcp-bridge-\(AWSTime.now.seconds)" }

    static let namedSources = ["Environment", "EcsContainer", "Ec2InstanceMetadata"]

    func fetch(_ name: String) async throws(AWSCredentialError) -> AWSCredentials {
        try await assume(name, visited: [name])
    }

    private func assume(_ name: String, visited: [String]) async throws(AWSCredentialError) -> AWSCredentials {
        let settings = profiles.files.profiles[name] ?? [:]
        let role = try request(name, settings)
        let (source, via) = try await sourceCredentials(name, settings, visited: visited)
        let described = "profile \(name) (assume role \(role.roleARN) via \(via))"
        return try await profiles.sts.assumeRole(role, with: source, describedAs: described)
    }

    /// The `AssumeRole` parameters the profile sets.
    private func request(_ name: String, _ settings: [String: String])
        throws(AWSCredentialError) -> STSClient.RoleRequest {
        if settings["mfa_serial"] != nil {
            throw AWSCredentialError("profile \(name) assumes its role with MFA (mfa_serial), and mcp-bridge cannot "
                + "ask for the code: its stdin belongs to the MCP host. Get the role's credentials in a terminal "
                + "(`aws configure export-credentials --profile \(name) --format env` asks for the code) and give "
                + "those to the bridge, or use a role whose trust policy does not require MFA")
        }
        var duration: Int?
        if let text = settings["duration_seconds"] {
            guard let seconds = Int(text), seconds > 0 else {
                throw AWSCredentialError("profile \(name): duration_seconds is not a number of seconds: \(text)")
            }
            duration = seconds
        }
        return STSClient.RoleRequest(roleARN: settings["role_arn"] ?? "",
                                     sessionName: settings["role_session_name"] ?? Self.defaultSessionName(),
                                     externalID: settings["external_id"], durationSeconds: duration)
    }

    /// The credentials `AssumeRole` is signed with, and how to name where they came from.
    private func sourceCredentials(_ name: String, _ settings: [String: String], visited: [String])
        async throws(AWSCredentialError) -> (AWSCredentials, String) {
        switch (settings["source_profile"], settings["credential_source"]) {
        case (.some, .some):
            throw AWSCredentialError("profile \(name) has both source_profile and credential_source; keep one")
        case (nil, nil):
            throw AWSCredentialError("profile \(name) has role_arn but neither source_profile nor credential_source: "
                + "name the profile whose credentials assume the role, or the credential source")
        case (nil, let named?):
            return (try await namedSource(named, for: name), "credential_source \(named)")
        case (let source?, nil):
            return (try await profileSource(source, for: name, visited: visited), "profile \(source)")
        }
    }

    private func profileSource(_ source: String, for name: String, visited: [String])
        async throws(AWSCredentialError) -> AWSCredentials {
        guard let settings = profiles.files.profiles[source] else {
            throw AWSCredentialError("profile \(name) names source_profile \(source), which is in neither "
                + "\(profiles.files.configPath) nor \(profiles.files.credentialsPath)")
        }
        let hasStaticKeys = settings["aws_access_key_id"] != nil || settings["aws_secret_access_key"] != nil
        if visited.contains(source), !(source == name && hasStaticKeys) {
            let loop = (visited + [source]).joined(separator: " → ")
            throw AWSCredentialError("the source_profile settings loop: \(loop); end the chain at a profile with "
                + "its own credentials")
        }
        if hasStaticKeys || !Self.applies(settings) {
            guard let found = try await profiles.own(source, webIdentityFromEnvironment: false) else {
                throw AWSCredentialError("profile \(name) names source_profile \(source), which has no credentials "
                    + "(static keys, credential_process, SSO, web identity, or a role_arn of its own)")
            }
            return found
        }
        return try await assume(source, visited: visited + [source])
    }

    /// `credential_source`: the chain's own sources, by botocore's canonical names.
    private func namedSource(_ named: String, for name: String) async throws(AWSCredentialError) -> AWSCredentials {
        let environment = profiles.environment
        let found: AWSCredentials?
        switch named {
        case "Environment":
            found = try EnvironmentCredentials.read(environment)
        case "EcsContainer":
            found = ContainerCredentials.isConfigured(environment)
                ? try await ContainerCredentials.fetch(environment: environment, client: profiles.client) : nil
        case "Ec2InstanceMetadata":
            found = InstanceMetadataCredentials.isDisabled(environment)
                ? nil : try await InstanceMetadataCredentials.fetch(environment: environment, client: profiles.client)
        default:
            throw AWSCredentialError("profile \(name) has credential_source \(named), which is not one of "
                + Self.namedSources.joined(separator: ", "))
        }
        guard let found else {
            throw AWSCredentialError("profile \(name) has credential_source \(named), which gives no credentials here")
        }
        return found
    }
}
