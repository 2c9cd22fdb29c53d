import BridgeHTTP
import Crypto
import Logging
import Synchronization

/// `--aws-sigv4` for one process: the signer for the service and region, and the credentials it signs with.
final class AWSRequestSigning: Sendable {
    let signer: SigV4Signer
    let credentials: AWSCredentialChain
    /// The day's signing key for the credentials in force, as the AWS SDKs keep it: four HMACs saved per request.
    private let derivedKey = Mutex<(date: String, accessKeyID: String, secret: String, key: SymmetricKey)?>(nil)

    /// `proxied`: `--enable-proxy`, which role credentials' STS calls follow too.
    init(_ configuration: AWSSigningConfiguration, http: any HTTPClient, proxied: Bool = false, logger: Logger) {
        signer = SigV4Signer(region: configuration.region, service: configuration.service)
        credentials = AWSCredentialChain(profile: configuration.profile, environment: configuration.environment,
                                         client: AWSMetadataClient(http: http), signingRegion: configuration.region,
                                         proxied: proxied, logger: logger)
    }

    /// `request` signed now, with the credentials in force; its URL is the one this attempt or hop goes to.
    func sign(_ request: HTTPRequest) async throws(BridgeError) -> (HTTPRequest, AWSCredentials) {
        let url: ServerURL
        do {
            url = try ServerURLParser.parse(request.url)
        } catch {
            throw BridgeError(.protocolViolation, "AWS SigV4: cannot sign a request to an unusable URL: \(error)",
                              mayHaveReachedServer: false)
        }
        let used: AWSCredentials
        do {
            used = try await credentials.current()
        } catch {
            throw error.bridgeError
        }
        // The session token travels in a header: a server that echoes it must not get it into our logs.
        if let token = used.sessionToken { SecretValues.shared.remember(token: token) }
        let now = AWSTime.now
        let date = now.scopeDate
        var key = derivedKey.withLock { cached -> SymmetricKey? in
            guard let cached, cached.date == date, cached.accessKeyID == used.accessKeyID,
                  cached.secret == used.secretAccessKey else { return nil }
            return cached.key
        }
        if key == nil {
            let derived = signer.signingKey(used, date: date)
            derivedKey.withLock { $0 = (date, used.accessKeyID, used.secretAccessKey, derived) }
            key = derived
        }
        var signed = request
        signer.sign(&signed, url: url, with: used, at: now, key: key)
        return (signed, used)
    }

    /// For `check` and logs: who signs, for what.
    func identity() async -> Result<String, AWSCredentialError> {
        do {
            let used = try await credentials.current()
            return .success("signing as \(used) for service \(signer.service) in \(signer.region)")
        } catch {
            return .failure(error)
        }
    }
}
