/// One set of AWS credentials and where they came from.
///
/// The secret key and the session token are secrets: `description` shows only the access key id's first
/// characters and the source, so the value can be interpolated into a log line or an error without thought.
struct AWSCredentials: Sendable, CustomStringConvertible {
    let accessKeyID: String
    let secretAccessKey: String
    /// Temporary credentials' token, sent (and signed) as `X-Amz-Security-Token`.
    let sessionToken: String?
    /// When temporary credentials stop working; nil for long-term keys.
    let expiration: AWSTime?
    /// Where they were read, in words ("environment", "profile dev (credential_process)", "IMDSv2").
    let source: String

    /// The first eight characters: enough to tell keys apart (and long-term `AKIA` from temporary `ASIA`),
    /// not the whole id.
    var accessKeyPrefix: String { String(accessKeyID.prefix(8)) + "…" }

    var description: String { "access key \(accessKeyPrefix) from \(source)" }
}
