import ArgumentParser
import BridgeHTTP
import BridgePlatform
import MCPBridge

/// `mcp-bridge check URL`: is the server reachable and speaking MCP? Exit 0 when healthy, 1 when not.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check that a server is reachable and answers initialize and tools/list."
    )

    @OptionGroup var connection: ConnectionOptions

    @Option(help: ArgumentHelp("GET this URL first (e.g. the deployment's health endpoint).", valueName: "url"))
    var healthURL: String?

    func validate() throws {
        if let healthURL {
            do {
                _ = try URLPolicy.check(healthURL, allowHTTP: connection.allowHTTP)
            } catch {
                throw ValidationError("--health-url: \(error.description)")
            }
        }
    }

    func run() async throws {
        try await execute()
    }

    /// The command body, named apart from `run()` so `main.swift` can call it unambiguously (the synchronous
    /// `ParsableCommand.run()` would otherwise win overload resolution and print help).
    func execute() async throws {
        let logger = connection.makeLogger()
        var configuration = try connection.configuration(logger: logger)
        // Stored OAuth tokens are used (and refreshed); a server that wants a new sign-in is reported, never opened.
        var oauth = OAuthOptions(storeRoot: OAuthOptions.defaultStoreRoot(environment: ProcessEnvironment.variables()))
        oauth.interactive = false
        configuration.oauth = oauth
        let report = await HealthCheck(configuration: configuration, healthURL: healthURL, logger: logger).run()
        print(report.text)
        if !report.healthy { throw ExitCode.failure }
    }
}
