/// The credentials the shared files give one profile, in botocore's order: a role to assume (`role_arn` with
/// `source_profile` or `credential_source`), then web identity, SSO, static keys, `credential_process`. One value
/// per resolution: the files as read once, and the STS client every role in a chain is assumed through.
struct ProfileCredentials: Sendable {
    let files: AWSConfigFiles
    let environment: [String: String]
    let client: AWSMetadataClient
    let sts: STSClient

    /// The profile's credentials, or nil when it has none (a profile holding only `region`, or none at all);
    /// `webIdentityFromEnvironment`: whether `AWS_WEB_IDENTITY_TOKEN_FILE` counts (not when `--aws-profile` is given).
    func resolve(_ name: String, webIdentityFromEnvironment: Bool) async throws(AWSCredentialError) -> AWSCredentials? {
        if let settings = files.profiles[name], AssumeRoleCredentials.applies(settings) {
            return try await AssumeRoleCredentials(profiles: self).fetch(name)
        }
        return try await own(name, webIdentityFromEnvironment: webIdentityFromEnvironment)
    }

    /// What the profile holds itself, without assuming its `role_arn`: also what a `source_profile` gives.
    func own(_ name: String, webIdentityFromEnvironment: Bool) async throws(AWSCredentialError) -> AWSCredentials? {
        let settings = files.profiles[name]
        if let webIdentity = try WebIdentityCredentials.configuration(
            profile: name, settings: settings, environment: webIdentityFromEnvironment ? environment : nil) {
            return try await webIdentity.fetch(sts)
        }
        guard let settings else { return nil }
        if SSOCredentials.isSSOProfile(settings) {
            return try await SSOCredentials.fetch(profile: name, settings: settings, files: files,
                                                  environment: environment, client: client)
        }
        if let key = settings["aws_access_key_id"], let secret = settings["aws_secret_access_key"] {
            let token = settings["aws_session_token"].flatMap { $0.isEmpty ? nil : $0 }
            return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: nil,
                                  source: "profile \(name) (shared credentials file)")
        }
        if let command = settings["credential_process"] {
            return try await CredentialProcess.run(command, source: "profile \(name) (credential_process)")
        }
        return nil
    }
}
