/// How the bridge signs in to a server that asks for OAuth (mcp-remote's flags, same names and meanings).
///
/// OAuth starts only when the server answers 401 and the user gave no `Authorization` header of their own.
public struct OAuthOptions: Sendable {
    /// mcp-remote's positional callback port; nil: the port of the stored registration, else one derived from the
    /// server URL (`CallbackPort`), so the redirect URI stays the same across runs.
    public var callbackPort: Int?
    /// `--host`: the host name in the redirect URI (the listener is always on 127.0.0.1).
    public var callbackHost = "127.0.0.1"
    /// `--static-oauth-client-info`: a pre-registered client (`client_id`, optional `client_secret`), JSON text.
    public var staticClientInfo: String?
    /// `--static-oauth-client-metadata`: JSON object members merged into the dynamic registration request.
    public var staticClientMetadata: String?
    /// `--resource`: the RFC 8707 resource indicator; nil means the server URL.
    public var resource: String?
    /// `--disable-resource-parameter`: omit `resource` for authorization servers that reject it.
    public var sendsResource = true
    /// `--auth-timeout`: how long requests wait for a sign-in before each gets -32009.
    public var timeout: Duration = .seconds(120)
    /// `$BROWSER`, if set: the command that opens the authorization URL.
    public var browser: String?
    /// A browser can be opened here: `$BROWSER` is set, or a desktop session is (macOS; `DISPLAY` or
    /// `WAYLAND_DISPLAY` elsewhere). Without one the device flow is used where the authorization server offers it.
    public var browserAvailable = true
    /// `--device-code`: sign in with the device authorization grant (RFC 8628) even where a browser could open.
    public var deviceCode = false
    /// `--assume-pkce-s256`: proceed when the authorization server does not advertise S256 (many support it without
    /// saying so); S256 is still what is sent.
    public var assumesS256 = false
    /// `--client-metadata-url`: the bridge's Client ID Metadata Document, used as `client_id` where the
    /// authorization server supports it (`client_id_metadata_document_supported`).
    public var clientMetadataURL: String?
    /// Where tokens and registrations are kept (`TokenStore.defaultRoot`).
    public var storeRoot: String
    /// False for `check`: stored tokens are used and refreshed, but no browser is opened.
    public var interactive = true

    public init(storeRoot: String) {
        self.storeRoot = storeRoot
    }

    /// `$MCP_BRIDGE_AUTH_DIR`, else `$XDG_CONFIG_HOME/mcp-bridge/auth`, else `~/.config/mcp-bridge/auth`.
    public static func defaultStoreRoot(environment: [String: String]) -> String {
        TokenStore.defaultRoot(environment: environment)
    }
}
