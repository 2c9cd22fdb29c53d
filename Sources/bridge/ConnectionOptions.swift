import ArgumentParser
import BridgeHTTP
import BridgePlatform
import Logging
import MCPBridge

/// Flags shared by relaying and `check`: where the server is and how to reach it.
struct ConnectionOptions: ParsableArguments {
    @Argument(help: "The MCP server's Streamable HTTP endpoint URL.")
    var url: String

    @Option(name: .customLong("header"), parsing: .singleValue,
            help: ArgumentHelp("Add a request header, 'Name: value'; ${VAR} expands from the environment. Repeatable.",
                               valueName: "header"))
    var headers: [String] = []

    @Flag(help: "Allow plain http:// to a host that is not loopback (traffic is unencrypted).")
    var allowHTTP = false

    @Option(help: ArgumentHelp("Seconds allowed to connect to the server.", valueName: "seconds"))
    var connectTimeout: Double = 10

    @Option(help: ArgumentHelp("Trust this PEM CA bundle instead of the system store.", valueName: "path"))
    var cacert: String?

    @Option(help: ArgumentHelp("Client certificate (PEM) for servers that require mutual TLS.", valueName: "path"))
    var cert: String?

    @Option(help: ArgumentHelp("Private key (PEM) of the --cert client certificate.", valueName: "path"))
    var key: String?

    @Flag(help: "Do not verify the server's TLS certificate (dangerous; for testing only).")
    var insecure = false

    @Flag(help: "Use http_proxy/https_proxy/no_proxy from the environment.")
    var enableProxy = false

    @Flag(help: "Ask the server for compressed replies (Accept-Encoding: gzip, deflate, br, zstd).")
    var compressed = false

    @Flag(exclusivity: .exclusive)
    var httpVersion: HTTPVersionFlag?

    @Option(name: .customLong("protocol"),
            help: ArgumentHelp("MCP era to speak to the server: auto (ask it with server/discover), legacy (2025 "
                + "initialize and sessions) or modern (2026-07-28, stateless); a host of the other era is translated.",
                valueName: "era"))
    var protocolMode: ProtocolMode = .auto

    @OptionGroup var aws: AWSOptions

    @Flag(help: "Log each message's method, id, HTTP status and timing to stderr (secrets redacted).")
    var debug = false

    @Flag(help: "Log errors only.")
    var silent = false

    @Option(help: ArgumentHelp("Write stderr lines as text, or as json: one object per line with ts, level, msg "
        + "and the line's keys.", valueName: "format"))
    var logFormat: LogFormat = .text

    @Flag(help: "Do not send a W3C traceparent header (by default the host's _meta.traceparent, else a new one).")
    var noTraceparent = false

    func validate() throws {
        guard (cert == nil) == (key == nil) else { throw ValidationError("--cert and --key go together") }
        guard connectTimeout > 0 else { throw ValidationError("--connect-timeout must be a positive number of seconds") }
        do {
            _ = try URLPolicy.check(url, allowHTTP: allowHTTP)
        } catch {
            throw ValidationError(error.description)
        }
    }

    /// Sets up stderr logging once per process; stdout is reserved for JSON-RPC.
    func makeLogger() -> Logger {
        let level = LogVerbosity(debug: debug, silent: silent).logLevel
        LoggingSystem.bootstrap { [logFormat] _ in StderrLogHandler(logLevel: level, format: logFormat) }
        return Logger(label: "mcp-bridge")
    }

    /// The configuration every command starts from; header warnings are logged, never their values.
    func configuration(logger: Logger) throws -> BridgeConfiguration {
        let serverURL = try URLPolicy.check(url, allowHTTP: allowHTTP)
        let environment = ProcessEnvironment.variables()
        let parsed: HeaderTemplate.ParsedHeaders
        do {
            parsed = try HeaderTemplate.parse(headers, environment: environment)
        } catch {
            throw ValidationError(error.description)
        }
        SecretValues.shared.remember(headerValues: parsed.headers.map(\.value), serverURL: serverURL.absoluteString)
        for warning in parsed.warnings { logger.warning("\(warning)") }
        if insecure {
            let text = "--insecure: TLS certificates are NOT verified; anyone on the network path can "
                + "impersonate the server and read your credentials"
            logger.warning("\(text)")
        }
        var configuration = BridgeConfiguration(
            serverURL: serverURL.absoluteString,
            headers: parsed.headers,
            connectTimeout: .milliseconds(Int(connectTimeout * 1000)),
            tls: TLSOptions(verifyPeer: !insecure, caBundlePath: cacert, clientCertificatePath: cert,
                            clientKeyPath: key),
            useEnvironmentProxy: enableProxy
        )
        configuration.compressedReplies = compressed
        configuration.sendsTraceparent = !noTraceparent
        configuration.protocolMode = protocolMode
        configuration.httpVersion = httpVersion?.preference ?? .auto
        configuration.awsSigning = try aws.signing(serverURL: configuration.serverURL,
                                                   headerNames: parsed.headers.map(\.name), environment: environment)
        return configuration
    }
}

extension ProtocolMode: ExpressibleByArgument {}
extension LogFormat: ExpressibleByArgument {}

/// `--http1.1`, `--http2`, named as curl names them; none: libcurl's default (h2 by ALPN over https, HTTP/1.1
/// over http). There is no `--http2-prior-knowledge`: Debian 12's libcurl 7.88.1 fails the second request on a
/// reused h2c connection to nginx 1.22 (curl's own CLI too), so it could not be offered as working.
enum HTTPVersionFlag: String, EnumerableFlag {
    case http1_1, http2

    var preference: HTTPVersionPreference {
        switch self {
        case .http1_1: .http1_1
        case .http2: .http2
        }
    }

    static func name(for value: Self) -> NameSpecification {
        switch value {
        case .http1_1: .customLong("http1.1")
        case .http2: .customLong("http2")
        }
    }

    static func help(for value: Self) -> ArgumentHelp? {
        switch value {
        case .http1_1:
            ArgumentHelp("Speak HTTP/1.1 only (one keep-alive connection per request in flight; lowest latency to a "
                + "nearby server).")
        case .http2:
            ArgumentHelp("Prefer HTTP/2 with all requests multiplexed on one connection (by ALPN over https; over http "
                + "an h2c upgrade offer the server may decline). Default: h2 by ALPN over https, HTTP/1.1 over http.")
        }
    }
}
