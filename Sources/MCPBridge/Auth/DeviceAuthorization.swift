import BridgeHTTP
import BridgeWire
import Logging

/// The device authorization grant (RFC 8628), for a machine with no browser (SSH, a container): the user opens the
/// verification page on any device and enters the code printed on stderr, while the bridge polls the token
/// endpoint. No port is bound and nothing is opened; the poll is bounded by `--auth-timeout`.
extension OAuthLogin {
    static let deviceGrantType = "urn:ietf:params:oauth:grant-type:device_code"

    /// The device authorization endpoint when this sign-in uses the device flow: asked for with `--device-code`,
    /// or no browser can be opened here and the authorization server offers it.
    func deviceEndpoint(_ info: AuthorizationServerInfo) throws -> String? {
        guard options.deviceCode else { return options.browserAvailable ? nil : info.deviceAuthorizationEndpoint }
        guard let endpoint = info.deviceAuthorizationEndpoint else {
            throw BridgeError(.unauthorized, "--device-code: the authorization server \(info.issuer) offers no device "
                + "sign-in (no device_authorization_endpoint in its metadata); sign in without --device-code, from a "
                + "machine with a browser: `mcp-bridge login \(server.absoluteString)`")
        }
        return endpoint
    }

    func deviceLogin(_ info: AuthorizationServerInfo, endpoint: String, scope: String?) async throws -> TokenSet {
        let client = try await registration(info, stored: storedClient(info), redirectURI: nil, scope: scope)
        var form = client.credentials()
        if let scope { form.append(("scope", scope)) }
        if options.sendsResource { form.append(("resource", resource)) }
        let reply = try await http.postForm(endpoint, form, label: "OAuth device authorization")
        guard reply.ok, let document = JSONDocument(reply.body), let deviceCode = document.string("device_code"),
              let userCode = document.string("user_code"),
              let verification = document.string("verification_uri") ?? document.string("verification_url"),
              OAuthDiscovery.isHTTP(verification) else {
            throw BridgeError(.unauthorized, "the authorization server \(info.issuer) refused to start a device "
                + "sign-in (" + Self.oauthError(reply) + ")")
        }
        SecretValues.shared.remember(token: deviceCode)
        let complete = document.string("verification_uri_complete").flatMap { OAuthDiscovery.isHTTP($0) ? $0 : nil }
        let also = complete.map { " (or open \($0))" } ?? ""
        logger.warning("to sign in, open \(verification) on any device and enter the code \(userCode)\(also)")
        // The code's expiry is the server's to tell (`expired_token`); the wait is bounded by --auth-timeout.
        let interval = Duration.seconds(max(1, document.number("interval") ?? 5))
        return try await poll(info, deviceCode: deviceCode, client: client, interval: interval,
                              deadline: ContinuousClock.now + options.timeout)
    }

    /// RFC 8628 §3.4–3.5: wait `interval` between polls, 5 s more after each `slow_down`, until a token, a refusal,
    /// the server's word that the code expired, or the deadline.
    private func poll(_ info: AuthorizationServerInfo, deviceCode: String, client: ClientRegistration,
                      interval: Duration, deadline: ContinuousClock.Instant) async throws -> TokenSet {
        var interval = interval
        let form = [("grant_type", Self.deviceGrantType), ("device_code", deviceCode)] + client.credentials()
        while ContinuousClock.now + interval < deadline {
            try await Task.sleep(for: interval)
            let reply = try await http.postForm(info.tokenEndpoint, form, label: "OAuth device token")
            if reply.ok, let tokens = TokenSet(response: reply.body, issuer: info.issuer) { return tokens }
            switch JSONDocument(reply.body)?.string("error") {
            case "authorization_pending": continue
            case "slow_down": interval += .seconds(5)
            case "access_denied":
                throw BridgeError(.unauthorized, "the sign-in was refused at \(info.issuer)'s verification page "
                    + "(access_denied); to try again, run `mcp-bridge login \(server.absoluteString) --device-code`, "
                    + "or restart the host and approve the new code")
            case "expired_token":
                throw BridgeError(.unauthorized, "the device code expired before it was approved; restart the host, "
                    + "or run `mcp-bridge login \(server.absoluteString) --device-code`, and approve the new code")
            default:
                throw BridgeError(.unauthorized, "the authorization server refused the device sign-in: "
                    + Self.oauthError(reply))
            }
        }
        throw BridgeError(.unauthorized, "the device code was not approved within \(options.timeout.formatted) "
            + "(--auth-timeout); run `mcp-bridge login \(server.absoluteString) --device-code` in a terminal and "
            + "approve the code it prints")
    }
}
