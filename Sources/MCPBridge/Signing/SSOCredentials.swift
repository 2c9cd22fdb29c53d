import BridgeHTTP
import Crypto

/// IAM Identity Center (SSO) profiles: the access token the AWS CLI cached at `aws sso login`
/// (`~/.aws/sso/cache/<sha1>.json`), exchanged at the SSO portal for the profile's role credentials. The bridge
/// never logs in itself (that needs a browser and the CLI's device flow); a missing or expired token is an error
/// that says to run `aws sso login`.
enum SSOCredentials {
    /// Whether a profile is an SSO profile (`sso_session`, or the legacy `sso_start_url`).
    static func isSSOProfile(_ settings: [String: String]) -> Bool {
        settings["sso_session"] != nil || settings["sso_start_url"] != nil
    }

    static func fetch(profile: String, settings: [String: String], files: AWSConfigFiles,
                      environment: [String: String], client: AWSMetadataClient)
        async throws(AWSCredentialError) -> AWSCredentials {
        let source = "profile \(profile) (SSO)"
        let login = "run `aws sso login --profile \(profile)`, then restart the MCP host or call again"
        let (cacheKey, region) = try session(profile: profile, settings: settings, files: files)
        guard let account = settings["sso_account_id"], let role = settings["sso_role_name"] else {
            throw AWSCredentialError("\(source) needs sso_account_id and sso_role_name in the config file")
        }
        let cachePath = cacheFile(for: cacheKey, home: environment["HOME"] ?? "")
        guard let cached = AWSConfigFiles.read(cachePath),
              let fields = AWSCredentialDocument.fields(Array(cached.utf8)),
              let token = fields["accessToken"], !token.isEmpty else {
            throw AWSCredentialError("\(source): no cached SSO token (\(cachePath)); \(login)")
        }
        if let expires = fields["expiresAt"].flatMap(AWSTime.parse), expires <= AWSTime.now {
            throw AWSCredentialError("\(source): the SSO token expired at \(expires.iso8601); \(login)")
        }
        let portal = environment["AWS_ENDPOINT_URL_SSO"] ?? "https://portal.sso.\(region).amazonaws.com"
        let url = portal + "/federation/credentials?account_id=\(SigV4Canonical.encode(account, keepingSlash: false))"
            + "&role_name=\(SigV4Canonical.encode(role, keepingSlash: false))"
        let reply = try await client.send(.get, url, headers: [HTTPHeader(name: "x-amz-sso_bearer_token", value: token)],
                                          source: "the SSO portal", timeout: .seconds(10))
        if reply.status == 401 || reply.status == 403 {
            throw AWSCredentialError("\(source): the SSO portal refused the cached token (HTTP \(reply.status)); \(login)")
        }
        guard reply.status == 200, let role = AWSCredentialDocument.fields(reply.body, at: ["roleCredentials"]),
              let key = role["accessKeyId"], let secret = role["secretAccessKey"] else {
            throw AWSCredentialError("\(source): the SSO portal answered HTTP \(reply.status) without role credentials")
        }
        let expiration = role["expiration"].flatMap { Int($0) }.map { AWSTime(seconds: $0 / 1000) }
        return AWSCredentials(accessKeyID: key, secretAccessKey: secret, sessionToken: role["sessionToken"],
                              expiration: expiration, source: source)
    }

    /// Where `aws sso login` caches the token: named by the SHA-1 of the session name (or legacy start URL).
    static func cacheFile(for key: String, home: String) -> String {
        "\(home)/.aws/sso/cache/" + SigV4Signer.hex(Insecure.SHA1.hash(data: Array(key.utf8))) + ".json"
    }

    /// The cache file's key and the portal's region: the `sso-session` name (new style) or the start URL.
    private static func session(profile: String, settings: [String: String], files: AWSConfigFiles)
        throws(AWSCredentialError) -> (String, String) {
        if let name = settings["sso_session"] {
            guard let session = files.ssoSessions[name], let region = session["sso_region"] ?? settings["sso_region"] else {
                throw AWSCredentialError("profile \(profile) names sso_session \(name), but the config file has no "
                    + "[sso-session \(name)] section with sso_region")
            }
            return (name, region)
        }
        guard let start = settings["sso_start_url"], let region = settings["sso_region"] else {
            throw AWSCredentialError("profile \(profile) needs sso_start_url and sso_region")
        }
        return (start, region)
    }
}
