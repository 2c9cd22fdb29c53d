import ArgumentParser
import Logging

/// mcp-remote flags accepted so existing host configs launch unchanged. Those without an implementation yet
/// print one warning each and never fail the launch.
struct CompatibilityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("OAuth callback host (mcp-remote compatibility).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("OAuth resource indicator (mcp-remote compatibility).", valueName: "uri"))
    var resource: String?

    @Option(help: ArgumentHelp("OAuth wait in seconds (mcp-remote compatibility).", valueName: "seconds"))
    var authTimeout: String?

    @Option(help: ArgumentHelp("OAuth client metadata JSON or @file (mcp-remote compatibility).", valueName: "json"))
    var staticOauthClientMetadata: String?

    @Option(help: ArgumentHelp("OAuth client info JSON or @file (mcp-remote compatibility).", valueName: "json"))
    var staticOauthClientInfo: String?

    @Flag(help: "Omit the OAuth resource parameter (mcp-remote compatibility).")
    var disableResourceParameter = false

    func warnAboutUnimplemented(callbackPort: String?, logger: Logger) {
        var ignored: [String] = []
        if callbackPort != nil { ignored.append("the OAuth callback port argument") }
        if host != nil { ignored.append("--host") }
        if resource != nil { ignored.append("--resource") }
        if authTimeout != nil { ignored.append("--auth-timeout") }
        if staticOauthClientMetadata != nil { ignored.append("--static-oauth-client-metadata") }
        if staticOauthClientInfo != nil { ignored.append("--static-oauth-client-info") }
        if disableResourceParameter { ignored.append("--disable-resource-parameter") }
        for flag in ignored {
            logger.warning("ignoring \(flag): OAuth is not implemented yet; use --header for tokens")
        }
    }
}
