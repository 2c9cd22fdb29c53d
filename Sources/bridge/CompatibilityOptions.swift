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
        return options
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
