import BridgeHTTP

/// AWS Security Token Service, for role credentials: `AssumeRole` (signed with the source credentials, service
/// `sts`) and `AssumeRoleWithWebIdentity` (unsigned: the token is the proof), both form-encoded POSTs answered in XML.
///
/// The endpoint is the one the AWS SDKs pick: `AWS_ENDPOINT_URL_STS`, else `AWS_ENDPOINT_URL`, else the profile's
/// `endpoint_url` (none of them when `AWS_IGNORE_CONFIGURED_ENDPOINT_URLS` or the profile's
/// `ignore_configured_endpoint_urls` is true), else the regional endpoint `https://sts.<region>.amazonaws.com`. The
/// region is the SDKs' too (`AWS_REGION`, `AWS_DEFAULT_REGION`, the profile's `region`), else the region requests are
/// signed for. A configured endpoint must use https unless it is a loopback address (the bridge's URL policy): the
/// source credentials' signature and a web identity token go to it.
struct STSClient: Sendable {
    let region: String
    /// The configured endpoint and the setting that named it, or nil for the regional endpoint.
    let configured: (url: String, setting: String)?
    let client: AWSMetadataClient
    /// `--enable-proxy`: STS is on the internet, where a corporate network's proxy may be the only way out.
    let proxied: Bool

    static let version = "2011-06-15"

    init(environment: [String: String], profile: [String: String]?, signingRegion: String, client: AWSMetadataClient,
         proxied: Bool) {
        region = environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? profile?["region"] ?? signingRegion
        let ignored = environment["AWS_IGNORE_CONFIGURED_ENDPOINT_URLS"]?.lowercased() == "true"
            || profile?["ignore_configured_endpoint_urls"]?.lowercased() == "true"
        if ignored {
            configured = nil
        } else if let url = environment["AWS_ENDPOINT_URL_STS"] {
            configured = (url, "AWS_ENDPOINT_URL_STS")
        } else if let url = environment["AWS_ENDPOINT_URL"] {
            configured = (url, "AWS_ENDPOINT_URL")
        } else if let url = profile?["endpoint_url"] {
            configured = (url, "the profile's endpoint_url")
        } else {
            configured = nil
        }
        self.client = client
        self.proxied = proxied
    }

    /// Where the calls go.
    func endpoint() throws(AWSCredentialError) -> ServerURL {
        guard let configured else {
            let suffix = region.hasPrefix("cn-") ? "amazonaws.com.cn" : "amazonaws.com"
            do {
                return try URLPolicy.check("https://sts.\(region).\(suffix)/", allowHTTP: false)
            } catch {
                throw AWSCredentialError("the region \(region) makes no usable STS endpoint (\(error)); check "
                    + "AWS_REGION or the profile's region")
            }
        }
        do {
            return try URLPolicy.check(configured.url, allowHTTP: false)
        } catch {
            throw AWSCredentialError("\(configured.setting) is not a usable STS endpoint: \(error)")
        }
    }

    /// What one `AssumeRole` asks for.
    struct RoleRequest: Sendable {
        var roleARN: String
        var sessionName: String
        var externalID: String?
        var durationSeconds: Int?
    }

    func assumeRole(_ role: RoleRequest, with source: AWSCredentials, describedAs: String)
        async throws(AWSCredentialError) -> AWSCredentials {
        var form = [("Action", "AssumeRole"), ("Version", Self.version), ("RoleArn", role.roleARN),
                    ("RoleSessionName", role.sessionName)]
        if let id = role.externalID { form.append(("ExternalId", id)) }
        if let seconds = role.durationSeconds { form.append(("DurationSeconds", String(seconds))) }
        let url = try endpoint()
        var request = post(url, form)
        SigV4Signer(region: region, service: "sts").sign(&request, url: url, with: source, at: AWSTime.now)
        let reply = try await client.send(request, source: "STS (\(url.origin))")
        guard reply.status == 200 else {
            throw refusal(reply, role: role.roleARN, action: "AssumeRole", advice: "check that \(source.source) may "
                + "call sts:AssumeRole on it and that the role's trust policy allows that identity (with the "
                + "profile's external_id, if the policy requires one)")
        }
        return try STSResponse.credentials(reply.body, source: describedAs)
    }

    func assumeRoleWithWebIdentity(roleARN: String, sessionName: String, token: String, describedAs: String)
        async throws(AWSCredentialError) -> AWSCredentials {
        let form = [("Action", "AssumeRoleWithWebIdentity"), ("Version", Self.version), ("RoleArn", roleARN),
                    ("RoleSessionName", sessionName), ("WebIdentityToken", token)]
        let url = try endpoint()
        let reply = try await client.send(post(url, form), source: "STS (\(url.origin))")
        guard reply.status == 200 else {
            throw refusal(reply, role: roleARN, action: "AssumeRoleWithWebIdentity", advice: "check that the role's "
                + "trust policy trusts the token's issuer (an EKS cluster's OIDC provider) and subject (its service "
                + "account), and that the token file is the one the platform keeps current")
        }
        return try STSResponse.credentials(reply.body, source: describedAs)
    }

    private func post(_ url: ServerURL, _ form: [(String, String)]) -> HTTPRequest {
        var request = HTTPRequest(
            method: .post, url: url.absoluteString,
            headers: [HTTPHeader(name: "Content-Type", value: "application/x-www-form-urlencoded; charset=utf-8")],
            body: Array(FormEncoding.encode(form).utf8), connectTimeout: .seconds(5), totalTimeout: .seconds(15))
        request.useEnvironmentProxy = proxied
        return request
    }

    /// AWS's code and message, the role, and what to check; never the request (it holds a signature or a token).
    private func refusal(_ reply: AWSMetadataClient.Reply, role: String, action: String, advice: String)
        -> AWSCredentialError {
        guard let error = STSResponse.error(reply.body) else {
            return AWSCredentialError("STS \(action) for role \(role) answered HTTP \(reply.status): "
                + BridgeError.excerpt(reply.body, limit: 200))
        }
        var message = error.message
        while message.hasSuffix(".") { message.removeLast() }
        return AWSCredentialError("STS refused \(action) for role \(role) (HTTP \(reply.status) \(error.code))"
            + (message.isEmpty ? "" : ": \(message)") + "; \(advice)")
    }
}
