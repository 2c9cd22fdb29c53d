/// `AssumeRoleWithWebIdentity`, as EKS IAM roles for service accounts (IRSA) and other OIDC platforms use it:
/// `AWS_ROLE_ARN` + `AWS_WEB_IDENTITY_TOKEN_FILE` (+ `AWS_ROLE_SESSION_NAME`) in the environment, or a profile's
/// `role_arn` + `web_identity_token_file` (+ `role_session_name`), each setting from the environment first, as
/// botocore reads them. The token file is read again for every call: the platform rotates it, and an old token is
/// refused once it expires.
struct WebIdentityCredentials: Sendable {
    let roleARN: String
    let tokenFile: String
    let sessionName: String
    /// Where the settings came from, for the credentials' source ("the environment's web identity", "profile dev").
    let origin: String

    /// The settings, or nil when neither the environment (nil: not consulted, `--aws-profile` was given) nor the
    /// profile names a token file.
    static func configuration(profile name: String, settings: [String: String]?, environment: [String: String]?)
        throws(AWSCredentialError) -> WebIdentityCredentials? {
        func setting(_ key: String, _ variable: String) -> (value: String, fromEnvironment: Bool)? {
            if let value = environment?[variable], !value.isEmpty { return (value, true) }
            return settings?[key].map { ($0, false) }
        }
        guard let file = setting("web_identity_token_file", "AWS_WEB_IDENTITY_TOKEN_FILE") else { return nil }
        let origin = file.fromEnvironment ? "the environment's web identity" : "profile \(name)"
        guard let role = setting("role_arn", "AWS_ROLE_ARN"), !role.value.isEmpty else {
            throw AWSCredentialError("\(origin) has a token file (web_identity_token_file or "
                + "AWS_WEB_IDENTITY_TOKEN_FILE) but no role: set AWS_ROLE_ARN or the profile's role_arn")
        }
        let session = setting("role_session_name", "AWS_ROLE_SESSION_NAME")?.value
        return WebIdentityCredentials(roleARN: role.value, tokenFile: file.value,
                                      sessionName: session ?? AssumeRoleCredentials.defaultSessionName(),
                                      origin: origin)
    }

    func fetch(_ sts: STSClient) async throws(AWSCredentialError) -> AWSCredentials {
        guard let token = AWSConfigFiles.read(tokenFile)?.awsTrimmed, !token.isEmpty else {
            throw AWSCredentialError("\(origin): the web identity token file \(tokenFile) cannot be read or is empty")
        }
        // The token goes in the form body, never a header; a server echoing it must still not get it into a log.
        SecretValues.shared.remember(token: token)
        return try await sts.assumeRoleWithWebIdentity(
            roleARN: roleARN, sessionName: sessionName, token: token,
            describedAs: "\(origin) (assume role \(roleARN) with web identity token file \(tokenFile))")
    }
}
