import ArgumentParser
import BridgePlatform
import Logging
import MCPBridge

/// mcp-remote's OAuth flags, with the same names and meanings (README "Signing in with OAuth").
struct CompatibilityOptions: ParsableArguments {
    @Option(help: ArgumentHelp("OAuth callback host (as in mcp-remote).", valueName: "host"))
    var host: String?

    @Option(help: ArgumentHelp("OAuth resource indicator (as in mcp-remote).", valueName: "uri"))
    var resource: String?

    @Option(help: ArgumentHelp("OAuth wait in seconds (as in mcp-remote).", valueName: "seconds"))
    var authTimeout: String?

    @Option(help: ArgumentHelp("OAuth client metadata JSON or @file (as in mcp-remote).", valueName: "json"))
    var staticOauthClientMetadata: String?

    @Option(help: ArgumentHelp("OAuth client info JSON or @file (as in mcp-remote).", valueName: "json"))
    var staticOauthClientInfo: String?

    @Flag(help: "Omit the OAuth resource parameter (as in mcp-remote).")
    var disableResourceParameter = false

    @Flag(help: "Sign in with an OAuth device code, without a browser (as in mcp-remote).")
    var deviceCode = false

    @Option(help: ArgumentHelp("OAuth Client ID Metadata Document URL (as in mcp-remote).", valueName: "url"))
    var clientMetadataUrl: String?

    @Flag(name: .customLong("assume-pkce-s256"),
          help: "Sign in even if the authorization server does not advertise PKCE S256.")
    var assumePKCES256 = false

    /// The OAuth sign-in these flags describe (on for every server that answers 401, as in mcp-remote).
    func oauthOptions(callbackPort: String?, environment: [String: String]) throws -> OAuthOptions {
        var options = OAuthOptions(storeRoot: OAuthOptions.defaultStoreRoot(environment: environment))
        if let callbackPort {
            guard let port = Int(callbackPort), (1...65535).contains(port) else {
                throw ValidationError("the OAuth callback port must be a number from 1 to 65535, not \(callbackPort)")
            }
            options.callbackPort = port
        }
        if let host { options.callbackHost = host }
        options.resource = resource
        options.sendsResource = !disableResourceParameter
        if let authTimeout {
            guard let seconds = Double(authTimeout), seconds > 0 else {
                throw ValidationError("--auth-timeout takes seconds, not \(authTimeout)")
            }
            options.timeout = .milliseconds(Int(seconds * 1000))
        }
        options.staticClientInfo = try staticOauthClientInfo.map { try Self.jsonOrFile($0, flag: "--static-oauth-client-info") }
        options.staticClientMetadata = try staticOauthClientMetadata.map {
            try Self.jsonOrFile($0, flag: "--static-oauth-client-metadata")
        }
        options.browser = environment["BROWSER"].flatMap { $0.isEmpty ? nil : $0 }
        options.browserAvailable = Self.browserAvailable(environment)
        options.deviceCode = deviceCode
        options.assumesS256 = assumePKCES256
        if let clientMetadataUrl {
            try Self.validateMetadataURL(clientMetadataUrl)
            options.clientMetadataURL = clientMetadataUrl
        }
        return options
    }

    /// A browser can open here: `$BROWSER`, a macOS session, or a Linux desktop (`DISPLAY`, `WAYLAND_DISPLAY`).
    static func browserAvailable(_ environment: [String: String]) -> Bool {
        #if os(macOS)
        return true
        #else
        return ["BROWSER", "DISPLAY", "WAYLAND_DISPLAY"].contains { !(environment[$0] ?? "").isEmpty }
        #endif
    }

    /// The spec's rule for a metadata document's URL (an https URL with a path), with http allowed on loopback.
    static func validateMetadataURL(_ url: String) throws {
        let lowered = url.lowercased()
        let loopback = ["http://127.0.0.1:", "http://127.0.0.1/", "http://localhost:", "http://localhost/", "http://[::1]"]
        guard lowered.hasPrefix("https://") || loopback.contains(where: lowered.hasPrefix) else {
            throw ValidationError("--client-metadata-url must be an https URL (http only on loopback), not \(url)")
        }
        let afterScheme = url.drop { $0 != "/" }.dropFirst(2)
        guard let slash = afterScheme.firstIndex(of: "/"), afterScheme.index(after: slash) < afterScheme.endIndex else {
            throw ValidationError("--client-metadata-url must have a path (the document's URL is the client_id)")
        }
    }

    /// mcp-remote's `JSON or @file` values.
    static func jsonOrFile(_ value: String, flag: String) throws -> String {
        guard value.hasPrefix("@") else { return value }
        let path = String(value.dropFirst())
        guard let file = fopen(path, "r") else { throw ValidationError("\(flag): cannot read \(path)") }
        defer { fclose(file) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = fread(&chunk, 1, chunk.count, file)
            guard count > 0 else { break }
            bytes += chunk[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}
