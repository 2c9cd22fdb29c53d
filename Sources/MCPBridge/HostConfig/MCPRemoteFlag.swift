/// What becomes of each mcp-remote flag (0.1.x and the later releases, as `mcp-remote --help` documents them)
/// when its entry is migrated to mcp-bridge.
package enum MCPRemoteFlag: Sendable, Equatable {
    /// mcp-bridge takes the same flag with the same meaning (its `CompatibilityOptions`, `ConnectionOptions`).
    case same(takesValue: Bool)
    /// Dropped without changing what the user gets; the reason is listed.
    case notNeeded(takesValue: Bool, reason: String)
    /// mcp-bridge has no equivalent: migrating would change how the server is reached or signed in to, so the
    /// entry is left as it is and the reason listed.
    case unsupported(takesValue: Bool, reason: String)

    package var takesValue: Bool {
        switch self {
        case .same(let value), .notNeeded(let value, _), .unsupported(let value, _): value
        }
    }

    package static func named(_ name: String) -> MCPRemoteFlag {
        table[name] ?? .unsupported(takesValue: false, reason: "not an mcp-remote flag mcp-bridge knows")
    }

    private static let noOAuthFlow = "mcp-bridge signs in with the authorization code flow or a device code"
    private static let table: [String: MCPRemoteFlag] = [
        "--header": .same(takesValue: true),
        "--transport": .same(takesValue: true),
        "--host": .same(takesValue: true),
        "--auth-timeout": .same(takesValue: true),
        "--static-oauth-client-metadata": .same(takesValue: true),
        "--static-oauth-client-info": .same(takesValue: true),
        "--resource": .same(takesValue: true),
        "--ignore-tool": .same(takesValue: true),
        "--connect-timeout": .same(takesValue: true),
        "--protocol": .same(takesValue: true),
        "--allow-http": .same(takesValue: false),
        "--debug": .same(takesValue: false),
        "--silent": .same(takesValue: false),
        "--enable-proxy": .same(takesValue: false),
        "--disable-resource-parameter": .same(takesValue: false),
        "--device-code": .same(takesValue: false),
        "--client-metadata-url": .same(takesValue: true),
        "--headers-timeout": .notNeeded(takesValue: true, reason: "mcp-bridge never times out a reply's headers"),
        "--body-timeout": .notNeeded(takesValue: true,
                                     reason: "mcp-bridge never times out a reply body or an idle stream"),
        "--keep-alive": .notNeeded(takesValue: false,
                                   reason: "mcp-bridge reconnects its streams itself and sends no pings"),
        "--ping-interval": .notNeeded(takesValue: true,
                                      reason: "mcp-bridge reconnects its streams itself and sends no pings"),
        "--ipv4": .notNeeded(takesValue: false, reason: "mcp-bridge tries IPv6 and IPv4 (happy eyeballs)"),
        "--disable-cookies": .notNeeded(takesValue: false,
                                        reason: "mcp-bridge keeps cookies in memory for the process only"),
        "--header-file": .unsupported(takesValue: true, reason: "no --header-file: pass each --header instead"),
        "--callback-path": .unsupported(takesValue: true, reason: "the OAuth callback path is fixed (/oauth/callback)"),
        "--authorize-param": .unsupported(takesValue: true, reason: "no extra authorization parameters"),
        "--client-credentials": .unsupported(takesValue: false, reason: noOAuthFlow),
        "--token-endpoint": .unsupported(takesValue: true, reason: noOAuthFlow),
        "--use-id-token": .unsupported(takesValue: false, reason: "mcp-bridge sends the access token"),
    ]
}
