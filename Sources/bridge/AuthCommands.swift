import ArgumentParser
import BridgePlatform
import MCPBridge

/// `mcp-bridge login URL`: sign in from a terminal (SSH, a container, before any host starts); every copy a host
/// starts later uses the stored tokens.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login", abstract: "Sign in to a server that asks for OAuth, and store the tokens.")

    @OptionGroup var connection: ConnectionOptions
    @Argument(help: "The OAuth callback port (as in mcp-remote).") var callbackPort: String?
    @OptionGroup var compatibility: CompatibilityOptions

    func run() async throws { try await execute() }

    func execute() async throws {
        let logger = connection.makeLogger()
        var configuration = try connection.configuration(logger: logger)
        configuration.oauth = try compatibility.oauthOptions(callbackPort: callbackPort,
                                                             environment: ProcessEnvironment.variables())
        let (ok, message) = await AuthCommands(configuration: configuration, logger: logger).login()
        print(message)
        if !ok { throw ExitCode.failure }
    }
}

/// `mcp-bridge logout URL`: forget the server's tokens.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "logout", abstract: "Forget a server's OAuth tokens.")

    @OptionGroup var connection: ConnectionOptions
    @OptionGroup var compatibility: CompatibilityOptions

    func run() async throws { try await execute() }

    func execute() async throws {
        let logger = connection.makeLogger()
        var configuration = try connection.configuration(logger: logger)
        configuration.oauth = try compatibility.oauthOptions(callbackPort: nil, environment: ProcessEnvironment.variables())
        print(await AuthCommands(configuration: configuration, logger: logger).logout())
    }
}

/// `mcp-bridge auth list`: what the store holds, per server (never a token).
struct AuthCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth", abstract: "Show stored OAuth sign-ins.", subcommands: [List.self])

    struct List: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "One line per signed-in server.")

        func run() {
            let root = OAuthOptions.defaultStoreRoot(environment: ProcessEnvironment.variables())
            let lines = AuthCommands.list(storeRoot: root)
            print(lines.isEmpty ? "no stored sign-ins in \(root)" : lines.joined(separator: "\n"))
        }
    }
}
