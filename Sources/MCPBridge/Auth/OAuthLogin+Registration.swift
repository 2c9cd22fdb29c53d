import BridgeWire
import Logging

/// Which client the sign-in uses, in the spec's priority: pre-registered (`--static-oauth-client-info`), the stored
/// registration with this issuer while its redirect URI still matches, else Dynamic Client Registration (RFC 7591,
/// with `--static-oauth-client-metadata` merged in), stored for every later copy.
extension OAuthLogin {
    func registration(_ info: AuthorizationServerInfo, stored: ClientRegistration?, redirectURI: String,
                      scope: String?) async throws -> ClientRegistration {
        if let text = options.staticClientInfo {
            guard let document = JSONDocument(Array(text.utf8)), let id = document.string("client_id") else {
                throw BridgeError(.unauthorized, "--static-oauth-client-info must be a JSON object with client_id")
            }
            return ClientRegistration(issuer: info.issuer, clientID: id, clientSecret: document.string("client_secret"),
                                      redirectURI: redirectURI)
        }
        if let stored, stored.redirectURI == redirectURI, stored.covers(scope) { return stored }
        guard let endpoint = info.registrationEndpoint else {
            throw BridgeError(.unauthorized, "the authorization server \(info.issuer) offers no dynamic client "
                + "registration: register mcp-bridge with it and pass --static-oauth-client-info "
                + #"'{"client_id":"..."}'"#)
        }
        var members = [
            #""client_name":"mcp-bridge""#, #""redirect_uris":[\#(JSONString.quote(redirectURI))]"#,
            #""grant_types":["authorization_code","refresh_token"]"#, #""response_types":["code"]"#,
            #""token_endpoint_auth_method":"none""#, #""application_type":"native""#,
        ]
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
        let client = ClientRegistration(issuer: info.issuer, clientID: id, clientSecret: document.string("client_secret"),
                                        redirectURI: redirectURI, scope: document.string("scope") ?? scope)
        try store.write("client.json", client.stored)
        logger.info("registered with \(info.issuer) as an OAuth client")
        return client
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
