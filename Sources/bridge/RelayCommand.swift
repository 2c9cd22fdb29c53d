import ArgumentParser
import BridgeHTTP
import BridgePlatform
import Logging
import MCPBridge

/// The relay itself: what a desktop host launches.
struct RelayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Relay stdio to the server (the default when no subcommand is given)."
    )

    @OptionGroup var connection: ConnectionOptions

    @Argument(help: "The OAuth callback port (as in mcp-remote); default: the port of the stored registration, else a free one.")
    var callbackPort: String?

    @Option(help: ArgumentHelp("Give up on a request after this many seconds and answer the host with a timeout "
        + "error (default: no limit).", valueName: "seconds"))
    var requestTimeout: Double?

    @Option(help: ArgumentHelp("After stdin closes, wait this long for in-flight requests.", valueName: "seconds"))
    var drainTimeout: Double = 30

    @Option(help: ArgumentHelp("Re-send a request up to this many times after a transient failure (connection "
        + "refused, 502/503/504/429, a broken stream) when re-sending cannot repeat side effects.", valueName: "n"))
    var retries: Int = 4

    @Option(help: ArgumentHelp("Total seconds a request may spend retrying.", valueName: "seconds"))
    var retryBudget: Double = 30

    @Option(help: ArgumentHelp("Relay at most this many requests at once; more wait their turn.", valueName: "n"))
    var maxInFlight: Int = 256

    @Option(help: ArgumentHelp("Largest message accepted in either direction.", valueName: "bytes"))
    var maxMessageBytes: Int = 64 << 20

    @Option(name: .customLong("ignore-tool"), parsing: .singleValue,
            help: ArgumentHelp("Hide tools whose name matches this pattern ('*' wildcard, case-insensitive). "
                + "Repeatable.", valueName: "glob"))
    var ignoredTools: [String] = []

    @Option(help: ArgumentHelp("Streamable HTTP or the 2024-11-05 HTTP+SSE transport: http-first (falls back to "
        + "SSE when initialize is refused with 400/404/405), sse-first, http-only or sse-only.", valueName: "strategy"))
    var transport: TransportStrategy = .httpFirst

    @Option(help: ArgumentHelp("Read JSON-RPC lines from this file instead of stdin; its end is stdin's end "
        + "(drain, then exit).", valueName: "path"))
    var input: String?

    @Flag(help: "Write answers in the order of the requests (notifications and server requests as they arrive).")
    var ordered = false

    @Flag(help: ArgumentHelp("At exit, print request counts by method and outcome, retries, latency percentiles "
        + "and bytes to stderr."))
    var stats = false

    @Flag(help: "Exit 2 when any request got an error answer (default: exit 0; hosts do not read it).")
    var exitStatus = false

    @OptionGroup var compatibility: CompatibilityOptions

    func validate() throws {
        if let requestTimeout, requestTimeout < 0 { throw ValidationError("--request-timeout must not be negative") }
        guard retries >= 0, retryBudget >= 0 else {
            throw ValidationError("--retries and --retry-budget must not be negative")
        }
        guard drainTimeout >= 0 else { throw ValidationError("--drain-timeout must not be negative") }
        guard maxInFlight >= 1 else { throw ValidationError("--max-in-flight must be at least 1") }
        guard maxMessageBytes >= 1024 else { throw ValidationError("--max-message-bytes must be at least 1024") }
    }

    func run() async throws {
        try await execute()
    }

    /// The command body, named apart from `run()` so `main.swift` can call it unambiguously (the synchronous
    /// `ParsableCommand.run()` would otherwise win overload resolution and print help).
    func execute() async throws {
        let logger = connection.makeLogger()
        var configuration = try connection.configuration(logger: logger)
        if let requestTimeout, requestTimeout > 0 {
            configuration.requestTimeout = .milliseconds(Int(requestTimeout * 1000))
        }
        configuration.drainTimeout = .milliseconds(Int(drainTimeout * 1000))
        configuration.maxMessageBytes = maxMessageBytes
        configuration.maxInFlight = maxInFlight
        configuration.retries = retries
        configuration.retryBudget = .milliseconds(Int(retryBudget * 1000))
        configuration.ignoredTools = ignoredTools
        configuration.transport = transport
        configuration.oauth = try compatibility.oauthOptions(callbackPort: callbackPort,
                                                             environment: ProcessEnvironment.variables())
        configuration.ordered = ordered
        configuration.reporting.timings = connection.debug
        configuration.reporting.stats = stats
        configuration.reporting.exitStatus = exitStatus
        let inputFD = try input.map(Self.openInput) ?? STDIN_FILENO
        logger.info("relaying stdio to \(Redaction.redactURL(configuration.serverURL)) (mcp-bridge \(BridgeVersion.current))")
        let allSucceeded = await Bridge(configuration: configuration, logger: logger).run(input: inputFD)
        if exitStatus, !allSucceeded { throw ExitCode(ReportingOptions.failedRequestsExitCode) }
    }

    /// `--input`: the file the lines come from.
    private static func openInput(_ path: String) throws -> Int32 {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw ValidationError("--input: cannot read \(path): \(String(cString: strerror(errno)))") }
        return fd
    }
}

/// `--transport` takes mcp-remote's spellings, which are the raw values.
extension TransportStrategy: ExpressibleByArgument {}
