import BridgeHTTP
import Logging

/// `--aws-sigv4` for one process: the signer for the service and region, and the credentials it signs with.
final class AWSRequestSigning: Sendable {
    let signer: SigV4Signer
    let credentials: AWSCredentialChain

    init(_ configuration: AWSSigningConfiguration, http: any HTTPClient, logger: Logger) {
        signer = SigV4Signer(region: configuration.region, service: configuration.service)
        credentials = AWSCredentialChain(profile: configuration.profile, environment: configuration.environment,
                                         client: AWSMetadataClient(http: http), logger: logger)
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
        var signed = request
        signer.sign(&signed, url: url, with: used, at: .now)
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
