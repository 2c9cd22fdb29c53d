import Logging
import Synchronization

/// Finds AWS credentials the way the AWS CLI and SDKs do (botocore's `create_credential_resolver`), and keeps them
/// until they expire or their files change.
///
/// Order: the environment (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`; skipped when
/// `--aws-profile` names a profile, as botocore skips it), then the profile (`--aws-profile`, `AWS_PROFILE`,
/// `default`): a role it assumes (`role_arn`), then web identity (`AWS_WEB_IDENTITY_TOKEN_FILE` or the profile's
/// `web_identity_token_file`), then the profile's SSO, static keys or `credential_process` (`ProfileCredentials`);
/// then the ECS/EKS container endpoint, then EC2 instance metadata (IMDSv2). Temporary credentials are read again
/// `refreshMargin` before they expire, profile-based ones also when the config or credentials file changes, and
/// all of them after AWS refuses them as expired (`invalidate`). Concurrent requests share one refresh.
final class AWSCredentialChain: Sendable {
    /// How long before `Expiration` temporary credentials are replaced (the AWS SDKs' IMDS and container margin).
    static let refreshMargin = 300

    private let profileFlag: String?
    private let environment: [String: String]
    private let client: AWSMetadataClient
    /// The region requests are signed for: STS's when nothing else names one.
    private let signingRegion: String
    /// `--enable-proxy`, for STS (the local metadata services are never proxied).
    private let proxied: Bool
    private let logger: Logger

    private struct Cached: Sendable {
        var credentials: AWSCredentials
        /// When to read again; nil: never (long-term keys from the environment).
        var refreshAt: AWSTime?
        /// For credentials that came from the shared files: what they looked like.
        var files: AWSConfigFiles.Fingerprint?
    }

    private struct State: Sendable {
        var cached: Cached?
        var refreshing: Task<Cached, any Error>?
    }

    private let state = Mutex(State())

    init(profile: String?, environment: [String: String], client: AWSMetadataClient, signingRegion: String,
         proxied: Bool, logger: Logger) {
        self.profileFlag = profile
        self.environment = environment
        self.client = client
        self.signingRegion = signingRegion
        self.proxied = proxied
        self.logger = logger
    }

    /// The profile the shared files are read for.
    var profile: String { profileFlag ?? environment["AWS_PROFILE"] ?? environment["AWS_DEFAULT_PROFILE"] ?? "default" }

    /// Credentials to sign with now: the cached ones on the usual path (a lock and, for file-based ones, two
    /// `stat` calls), a shared refresh otherwise.
    func current() async throws(AWSCredentialError) -> AWSCredentials {
        if let cached = state.withLock({ $0.cached }), isFresh(cached) { return cached.credentials }
        return try await refresh().credentials
    }

    /// AWS refused `used` as expired or unknown: forget them, so the next `current()` reads the sources again.
    func invalidate(_ used: AWSCredentials) {
        state.withLock { state in
            if state.cached?.credentials.accessKeyID == used.accessKeyID,
               state.cached?.credentials.sessionToken == used.sessionToken {
                state.cached = nil
            }
        }
    }

    private func isFresh(_ cached: Cached) -> Bool {
        if let refreshAt = cached.refreshAt, AWSTime.now >= refreshAt { return false }
        if let files = cached.files {
            let paths = AWSConfigFiles.paths(environment: environment)
            return AWSConfigFiles.currentFingerprint(config: paths.config, credentials: paths.credentials) == files
        }
        return true
    }

    private func refresh() async throws(AWSCredentialError) -> Cached {
        let task = state.withLock { current in
            if let running = current.refreshing { return running }
            let task = Task { [self] in
                defer { self.state.withLock { $0.refreshing = nil } }
                let found = try await resolve()
                self.state.withLock { $0.cached = found }
                logger.debug("AWS credentials read", metadata: [
                    "aws.access_key": "\(found.credentials.accessKeyPrefix)", "aws.source": "\(found.credentials.source)",
                    "aws.expires": "\(found.credentials.expiration?.iso8601 ?? "never")",
                ])
                return found
            }
            current.refreshing = task
            return task
        }
        do {
            return try await task.value
        } catch let error as AWSCredentialError {
            throw error
        } catch {
            throw AWSCredentialError("reading AWS credentials was interrupted: \(error)")
        }
    }

    private func resolve() async throws(AWSCredentialError) -> Cached {
        if profileFlag == nil, let found = try EnvironmentCredentials.read(environment) {
            return try cache(found, files: nil, margin: 0)
        }
        let files = AWSConfigFiles.load(environment: environment)
        if files.profiles[profile] == nil, profileFlag != nil || environment["AWS_PROFILE"] != nil {
            throw AWSCredentialError("profile \(profile) is in neither \(files.configPath) nor "
                + "\(files.credentialsPath); check --aws-profile / AWS_PROFILE")
        }
        let sts = STSClient(environment: environment, profile: files.profiles[profile], signingRegion: signingRegion,
                            client: client, proxied: proxied)
        let profiles = ProfileCredentials(files: files, environment: environment, client: client, sts: sts)
        if let found = try await profiles.resolve(profile, webIdentityFromEnvironment: profileFlag == nil) {
            return try cache(found, files: files.fingerprint, margin: Self.refreshMargin)
        }
        if ContainerCredentials.isConfigured(environment) {
            let found = try await ContainerCredentials.fetch(environment: environment, client: client)
            return try cache(found, files: nil, margin: Self.refreshMargin)
        }
        guard !InstanceMetadataCredentials.isDisabled(environment) else { throw notFound(nil) }
        do {
            let found = try await InstanceMetadataCredentials.fetch(environment: environment, client: client)
            return try cache(found, files: nil, margin: Self.refreshMargin)
        } catch {
            throw notFound(error)
        }
    }

    private func notFound(_ imds: AWSCredentialError?) -> AWSCredentialError {
        AWSCredentialError("no AWS credentials found (looked at AWS_ACCESS_KEY_ID, profile \(profile) in the shared "
            + "config files, AWS_WEB_IDENTITY_TOKEN_FILE, the container endpoint" + (imds.map { ", and \($0)" } ?? "")
            + "); set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or name a profile with --aws-profile "
            + "(`aws configure` or `aws sso login`)")
    }

    /// Refuses credentials that already expired; schedules the next read `margin` before expiry (or half the time
    /// left, when less than the margin remains, so a source handing out short-lived keys is not asked per request).
    private func cache(_ credentials: AWSCredentials, files: AWSConfigFiles.Fingerprint?, margin: Int)
        throws(AWSCredentialError) -> Cached {
        // They become header values: a control character (a token file's stray line break) would break the request.
        let values = [credentials.accessKeyID, credentials.secretAccessKey, credentials.sessionToken ?? ""]
        guard !values.contains(where: { $0.unicodeScalars.contains { $0.value < 0x20 || $0.value == 0x7F } }) else {
            throw AWSCredentialError("the credentials from \(credentials.source) contain a control character")
        }
        let now = AWSTime.now
        guard let expiration = credentials.expiration else {
            return Cached(credentials: credentials, refreshAt: nil, files: files)
        }
        guard expiration > now else {
            throw AWSCredentialError("the credentials from \(credentials.source) expired at \(expiration.iso8601); "
                + "renew them (for environment variables: in the MCP host's configuration, then restart it)")
        }
        let left = expiration.seconds - now.seconds
        let refreshAt = left > margin ? expiration.adding(seconds: -margin) : now.adding(seconds: max(1, left / 2))
        return Cached(credentials: credentials, refreshAt: refreshAt, files: files)
    }
}
