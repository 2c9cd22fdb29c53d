/// `AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN` (and `AWS_CREDENTIAL_EXPIRATION`): the chain's
/// first source, and what a profile's `credential_source = Environment` assumes a role with.
enum EnvironmentCredentials {
    static let source = "the environment (AWS_ACCESS_KEY_ID)"

    /// The keys, or nil when `AWS_ACCESS_KEY_ID` is not set.
    static func read(_ environment: [String: String]) throws(AWSCredentialError) -> AWSCredentials? {
        guard let key = environment["AWS_ACCESS_KEY_ID"], !key.isEmpty else { return nil }
        guard let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty else {
            throw AWSCredentialError("AWS_ACCESS_KEY_ID is set but AWS_SECRET_ACCESS_KEY is not")
        }
        var expiration: AWSTime?
        if let text = environment["AWS_CREDENTIAL_EXPIRATION"], !text.isEmpty {
            guard let parsed = AWSTime.parse(text) else {
                throw AWSCredentialError("AWS_CREDENTIAL_EXPIRATION is not an ISO 8601 time: \(text)")
            }
            expiration = parsed
        }
        let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: token, expiration: expiration,
                              source: source)
    }
}
