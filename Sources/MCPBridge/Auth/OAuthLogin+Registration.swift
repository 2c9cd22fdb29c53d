import BridgeWire
import Logging

/// Which client the sign-in uses, in the spec's priority: pre-registered (`--static-oauth-client-info`), the Client
/// ID Metadata Document (`--client-metadata-url`, where the authorization server supports it), the stored
/// registration with this issuer while it still fits (same redirect URI, or a device-grant registration for the
/// device flow), else Dynamic Client Registration (RFC 7591, with `--static-oauth-client-metadata` merged in),
/// stored for every later copy.
extension OAuthLogin {
    /// `redirectURI` nil: a registration for the device grant.
    func registration(_ info: AuthorizationServerInfo, stored: ClientRegistration?, redirectURI: String?,
                      scope: String?) async throws -> ClientRegistration {
        if let configured = try configuredClient(info, redirectURI: redirectURI) { return configured }
        if let stored, stored.redirectURI == redirectURI, stored.covers(scope) { return stored }
        if options.clientMetadataURL != nil {
            logger.info("\(info.issuer) does not support client metadata documents; registering dynamically instead")
        }
        guard let endpoint = info.registrationEndpoint else {
            throw BridgeError(.unauthorized, "the authorization server \(info.issuer) offers no dynamic client "
                + "registration: register mcp-bridge with it and pass --static-oauth-client-info "
                + #"'{"client_id":"..."}'"#)
        }
        var members = [#""client_name":"mcp-bridge""#, #""token_endpoint_auth_method":"none""#,
                       #""application_type":"native""#]
        if let redirectURI {
            members += [#""redirect_uris":[\#(JSONString.quote(redirectURI))]"#,
                        #""grant_types":["authorization_code","refresh_token"]"#, #""response_types":["code"]"#]
        } else {
            members += [#""grant_types":["\#(Self.deviceGrantType)","refresh_token"]"#, #""response_types":[]"#]
        }
        if let scope { members.append(#""scope":"# + JSONString.quote(scope)) }
        if let extra = options.staticClientMetadata {
            guard let document = JSONDocument(Array(extra.utf8)),
                  let fields = try? JSONScanner.members(in: document.bytes) else {
                throw BridgeError(.unauthorized, "--static-oauth-client-metadata must be a JSON object")
            }
            let names = Set(fields.map(\.key))
            members.removeAll { member in names.contains { member.hasPrefix(JSONString.quote($0) + ":") } }
            let inner = String(decoding: document.bytes, as: UTF8.self).trimmingWhitespace()
            let body = inner.dropFirst().dropLast().trimmingWhitespace()
            if !body.isEmpty { members.append(String(body)) }
        }
        let reply = try await http.postJSON(endpoint, "{" + members.joined(separator: ",") + "}",
                                            label: "OAuth client registration")
        guard reply.ok, let document = JSONDocument(reply.body), let id = document.string("client_id") else {
            throw BridgeError(.unauthorized, "the server asked for a sign-in (HTTP 401), and its authorization server "
                + "\(info.issuer) refused to register mcp-bridge (" + Self.oauthError(reply) + "); register it by hand "
                + "and pass --static-oauth-client-info, or pass a token with --header 'Authorization: Bearer ...'")
        }
        // A public client (what was asked for, and what the server confirms) has no secret to send, whatever else
        // the response carries.
        let secret = document.string("token_endpoint_auth_method") == "none" ? nil : document.string("client_secret")
        let client = ClientRegistration(issuer: info.issuer, clientID: id, clientSecret: secret,
                                        redirectURI: redirectURI, scope: document.string("scope") ?? scope)
        secret.map { SecretValues.shared.remember(token: $0) }
        try store.write("client.json", client.stored)
        logger.info("registered with \(info.issuer) as an OAuth client")
        return client
    }

    /// The client the user configured for this authorization server: pre-registered, or the metadata document.
    func configuredClient(_ info: AuthorizationServerInfo, redirectURI: String?) throws -> ClientRegistration? {
        if let text = options.staticClientInfo {
            guard let document = JSONDocument(Array(text.utf8)), let id = document.string("client_id") else {
                throw BridgeError(.unauthorized, "--static-oauth-client-info must be a JSON object with client_id")
            }
            document.string("client_secret").map { SecretValues.shared.remember(token: $0) }
            return ClientRegistration(issuer: info.issuer, clientID: id, clientSecret: document.string("client_secret"),
                                      redirectURI: redirectURI)
        }
        return metadataDocument(info).map {
            ClientRegistration(issuer: info.issuer, clientID: $0, clientSecret: nil, redirectURI: redirectURI)
        }
    }

    /// `--client-metadata-url`, when this authorization server takes it as `client_id`; otherwise registration
    /// goes on to dynamic registration, as the spec's priority says.
    func metadataDocument(_ info: AuthorizationServerInfo) -> String? {
        info.clientIDMetadataDocumentSupported ? options.clientMetadataURL : nil
    }

    /// The port of the metadata document's loopback redirect URI: the authorization server matches it exactly.
    func documentCallbackPort(_ url: String) async throws -> Int? {
        let reply = try await http.get(url, label: "OAuth client metadata document")
        guard reply.ok, let document = JSONDocument(reply.body), document.string("client_id") == url else {
            throw BridgeError(.unauthorized, "the client metadata document \(url) cannot be read or its client_id is "
                + "not its own URL (" + Self.oauthError(reply) + "); fix the document or drop --client-metadata-url")
        }
        let ports = (document.strings("redirect_uris") ?? []).compactMap {
            ClientRegistration(issuer: "", clientID: "", clientSecret: nil, redirectURI: $0).callbackPort
        }
        return ports.first
    }
}

extension StringProtocol {
    fileprivate func trimmingWhitespace() -> Substring {
        let text = Substring(self)
        let start = text.firstIndex { !$0.isWhitespace } ?? text.endIndex
        let end = text.lastIndex { !$0.isWhitespace }.map { text.index(after: $0) } ?? start
        return end > start ? text[start..<end] : text[start..<start]
    }
}
