import BridgePlatform
import BridgeWire

/// The tokens the store keeps for one server, with the absolute expiry (a relative `expires_in` means nothing to the
/// copy that reads the file later). Never logged: `description` names no secret.
struct TokenSet: Sendable, Equatable, CustomStringConvertible {
    var issuer: String
    var accessToken: String
    var refreshToken: String?
    /// Seconds since the epoch; nil when the server gave no lifetime.
    var expiresAt: Int?
    /// The lifetime the server gave (`expires_in`), so a short-lived token is not refreshed on every request.
    var lifetime: Int?
    var scope: String?

    var description: String { "tokens from \(issuer) (scope \(scope ?? "-"))" }

    /// Near expiry (the last minute, or the last quarter of a shorter life): refreshed before use, so a request
    /// never carries a token about to lapse.
    var isExpiring: Bool {
        guard let expiresAt else { return false }
        return expiresAt - Int(time(nil)) < min(60, (lifetime ?? 240) / 4)
    }

    /// A token endpoint's success body (RFC 6749 §5.1). A refresh that returns no new refresh token keeps the old.
    init?(response body: [UInt8], issuer: String, previous: TokenSet? = nil) {
        guard let document = JSONDocument(body), let access = document.string("access_token") else { return nil }
        self.issuer = issuer
        accessToken = access
        refreshToken = document.string("refresh_token") ?? previous?.refreshToken
        lifetime = document.number("expires_in")
        expiresAt = lifetime.map { Int(time(nil)) + $0 }
        scope = document.string("scope") ?? previous?.scope
    }

    init?(stored bytes: [UInt8]) {
        guard let document = JSONDocument(bytes), let issuer = document.string("issuer"),
              let access = document.string("access_token") else { return nil }
        self.issuer = issuer
        accessToken = access
        refreshToken = document.string("refresh_token")
        expiresAt = document.number("expires_at")
        lifetime = document.number("lifetime")
        scope = document.string("scope")
    }

    var stored: [UInt8] {
        var json = #"{"issuer":\#(JSONString.quote(issuer)),"access_token":\#(JSONString.quote(accessToken))"#
        if let refreshToken { json += #","refresh_token":"# + JSONString.quote(refreshToken) }
        if let expiresAt { json += #","expires_at":\#(expiresAt)"# }
        if let lifetime { json += #","lifetime":\#(lifetime)"# }
        if let scope { json += #","scope":"# + JSONString.quote(scope) }
        return Array((json + "}\n").utf8)
    }
}

/// A client registration with one authorization server: pre-registered (`--static-oauth-client-info`) or dynamic
/// (RFC 7591), stored per issuer and reused while its redirect URI still matches.
struct ClientRegistration: Sendable, Equatable {
    var issuer: String
    var clientID: String
    var clientSecret: String?
    /// The loopback callback of the authorization code flow; nil for a registration for the device grant, which has
    /// no redirect.
    var redirectURI: String?
    /// The scopes registered with (dynamic registration); a sign-in that needs more registers again.
    var scope: String?

    init(issuer: String, clientID: String, clientSecret: String?, redirectURI: String?, scope: String? = nil) {
        self.issuer = issuer
        self.clientID = clientID
        self.clientSecret = clientSecret
        self.redirectURI = redirectURI
        self.scope = scope
    }

    /// Registered for every scope in `wanted` (or for no particular scope).
    func covers(_ wanted: String?) -> Bool {
        guard let scope, let wanted else { return true }
        return Set(wanted.split(separator: " ")).isSubset(of: scope.split(separator: " "))
    }

    init?(stored bytes: [UInt8]) {
        guard let document = JSONDocument(bytes), let issuer = document.string("issuer"),
              let id = document.string("client_id") else { return nil }
        self.init(issuer: issuer, clientID: id, clientSecret: document.string("client_secret"),
                  redirectURI: document.string("redirect_uri"), scope: document.string("scope"))
    }

    var stored: [UInt8] {
        var json = #"{"issuer":\#(JSONString.quote(issuer)),"client_id":\#(JSONString.quote(clientID))"#
        if let clientSecret { json += #","client_secret":"# + JSONString.quote(clientSecret) }
        if let redirectURI { json += #","redirect_uri":"# + JSONString.quote(redirectURI) }
        if let scope { json += #","scope":"# + JSONString.quote(scope) }
        return Array((json + "}\n").utf8)
    }

    /// The port of a stored `http://127.0.0.1:PORT/oauth/callback`, to listen on it again (servers match exactly).
    var callbackPort: Int? {
        guard let afterHost = redirectURI?.split(separator: ":").dropFirst(2).first else { return nil }
        return Int(afterHost.prefix { $0.isNumber })
    }

    /// The client's credentials on a token request: `client_secret_post` when it has a secret, else public.
    func credentials() -> [(String, String)] {
        [("client_id", clientID)] + (clientSecret.map { [("client_secret", $0)] } ?? [])
    }
}
