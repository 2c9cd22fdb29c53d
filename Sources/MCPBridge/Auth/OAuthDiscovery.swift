import BridgeHTTP
import BridgeWire

/// What the MCP server and its authorization server publish about themselves (RFC 9728, RFC 8414, OpenID
/// Discovery), found in the order the 2025-11-25 and 2026-07-28 authorization specs give.
struct AuthorizationServerInfo: Sendable {
    var issuer: String
    var authorizationEndpoint: String
    var tokenEndpoint: String
    var registrationEndpoint: String?
    var revocationEndpoint: String?
    /// RFC 8628: where a sign-in without a browser starts.
    var deviceAuthorizationEndpoint: String?
    var codeChallengeMethods: [String]
    /// The authorization server takes a Client ID Metadata Document URL as `client_id`.
    var clientIDMetadataDocumentSupported = false
    var issParameterSupported: Bool
    /// The scopes to ask for when the challenge names none: the resource's `scopes_supported`.
    var resourceScopes: [String]?
}

/// The server answered 401 but publishes no OAuth metadata at all: its 401 is relayed as it is (a token it wants
/// through `--header`, a proxy's own login).
struct OAuthNotOffered: Error {}

struct OAuthDiscovery: Sendable {
    let http: OAuthHTTP
    let server: ServerURL

    /// From a 401's challenge to the authorization server's endpoints.
    func discover(_ challenge: AuthChallenge?) async throws -> AuthorizationServerInfo {
        let resource = await protectedResource(challenge)
        let issuer = resource?.strings("authorization_servers")?.first
        guard let issuer else {
            // 2025-03-26 servers: the MCP server's origin is the authorization server.
            if let metadata = try? await metadata(issuer: server.origin, exact: false) { return metadata }
            throw OAuthNotOffered()
        }
        guard var info = try await metadata(issuer: issuer, exact: true) else {
            throw BridgeError(.unauthorized, "the authorization server \(issuer) publishes no usable metadata "
                + "(RFC 8414 or OpenID discovery, with a matching issuer)")
        }
        info.resourceScopes = resource?.strings("scopes_supported")
        return info
    }

    /// RFC 9728: the challenge's `resource_metadata`, else the path-suffixed, then the root well-known URL.
    private func protectedResource(_ challenge: AuthChallenge?) async -> JSONDocument? {
        var candidates: [String] = []
        if let url = challenge?.resourceMetadata, Self.isHTTP(url) { candidates.append(url) }
        let path = server.path == "/" ? "" : server.path
        if !path.isEmpty { candidates.append(server.origin + "/.well-known/oauth-protected-resource" + path) }
        candidates.append(server.origin + "/.well-known/oauth-protected-resource")
        for url in candidates {
            if let reply = try? await http.get(url, label: "OAuth protected resource metadata"), reply.ok,
               let document = JSONDocument(reply.body), document.strings("authorization_servers") != nil {
                return document
            }
        }
        return nil
    }

    /// RFC 8414 then OpenID discovery; for an issuer with a path, the three URLs in the spec's order. `exact`: the
    /// document's `issuer` must equal the one the URL was built from (2026-07-28; mix-up defence). Throws when no
    /// URL could be reached at all: the authorization server is down, which the user can act on.
    private func metadata(issuer: String, exact: Bool) async throws -> AuthorizationServerInfo? {
        guard let parsed = try? ServerURLParser.parse(issuer) else { return nil }
        let path = parsed.path == "/" ? "" : String(parsed.path.drop { $0 == "/" }.reversed().drop { $0 == "/" }.reversed())
        let base = parsed.origin
        let urls = path.isEmpty
            ? [base + "/.well-known/oauth-authorization-server", base + "/.well-known/openid-configuration"]
            : [base + "/.well-known/oauth-authorization-server/" + path, base + "/.well-known/openid-configuration/" + path,
               base + "/" + path + "/.well-known/openid-configuration"]
        var failure: (any Error)?
        var reached = false
        for url in urls {
            let reply: OAuthHTTP.Reply
            do {
                reply = try await http.get(url, label: "OAuth authorization server metadata")
                reached = true
            } catch {
                failure = error
                continue
            }
            guard reply.ok,
                  let document = JSONDocument(reply.body),
                  let authorize = document.string("authorization_endpoint"), Self.isHTTP(authorize),
                  let token = document.string("token_endpoint"), Self.isHTTP(token) else { continue }
            let published = document.string("issuer") ?? ""
            if exact, published != issuer { continue }
            return AuthorizationServerInfo(
                issuer: published.isEmpty ? issuer : published, authorizationEndpoint: authorize, tokenEndpoint: token,
                registrationEndpoint: document.string("registration_endpoint").flatMap { Self.isHTTP($0) ? $0 : nil },
                revocationEndpoint: document.string("revocation_endpoint").flatMap { Self.isHTTP($0) ? $0 : nil },
                deviceAuthorizationEndpoint: document.string("device_authorization_endpoint")
                    .flatMap { Self.isHTTP($0) ? $0 : nil },
                codeChallengeMethods: document.strings("code_challenge_methods_supported") ?? [],
                clientIDMetadataDocumentSupported: document.bool("client_id_metadata_document_supported"),
                issParameterSupported: document.bool("authorization_response_iss_parameter_supported"),
                resourceScopes: nil)
        }
        if !reached, let failure {
            throw BridgeError(.unauthorized, "the server asks for a sign-in, and its authorization server \(issuer) "
                + "cannot be reached (\(failure)); check that it is up and reachable from here, then retry the request")
        }
        return nil
    }

    static func isHTTP(_ url: String) -> Bool {
        let lowered = url.lowercased()
        return lowered.hasPrefix("https://") || lowered.hasPrefix("http://")
    }
}
