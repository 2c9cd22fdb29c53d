import BridgeHTTP
import Logging

/// `mcp-bridge check`: walks the handshake a host would make and reports each step in words a person can act on.
public struct HealthCheck: Sendable {
    let configuration: BridgeConfiguration
    let healthURL: String?
    let logger: Logger

    public init(configuration: BridgeConfiguration, healthURL: String?, logger: Logger) {
        self.configuration = configuration
        self.healthURL = healthURL
        self.logger = logger
    }

    /// The outcome: one line per step, and whether every step succeeded.
    public struct Report: Sendable {
        public var lines: [String] = []
        public var healthy = true

        mutating func pass(_ step: String, _ detail: String) { lines.append(Self.row(step, detail)) }

        mutating func fail(_ step: String, _ detail: String) {
            healthy = false
            lines.append(Self.row(step, "FAILED: " + detail))
        }

        private static func row(_ step: String, _ detail: String) -> String {
            "  " + step.padding(to: 12) + detail
        }

        public var text: String {
            (lines + ["result: " + (healthy ? "healthy" : "NOT healthy")]).joined(separator: "\n")
        }
    }

    public func run() async -> Report {
        let driver = CurlDriver()
        defer { driver.shutdown() }
        let endpoint = RemoteEndpoint(configuration: configuration, driver: driver, logger: logger)
        var report = Report()
        report.lines.append("mcp-bridge check \(Redaction.redactURL(configuration.serverURL))")
        if let signing = endpoint.signing {
            switch await signing.identity() {
            case .success(let identity): report.pass("aws sigv4", identity)
            case .failure(let error): report.fail("aws sigv4", error.description)
            }
            guard report.healthy else { return report }
        }
        if let healthURL { await checkHealth(healthURL, through: endpoint, into: &report) }
        if let auth = AuthCommands.state(configuration) { report.pass("auth", auth) }
        guard report.healthy else { return report }
        var probe = HandshakeProbe(endpoint: endpoint, maxMessageBytes: configuration.maxMessageBytes)
        await probe.run(into: &report, tlsVerified: configuration.tls.verifyPeer)
        return report
    }

    /// The health URL through the same pipeline as MCP traffic (the same TLS settings, proxy, headers, redirects).
    private func checkHealth(_ url: String, through endpoint: RemoteEndpoint, into report: inout Report) async {
        let request = endpoint.health(url)
        let started = ContinuousClock.now
        do {
            let (head, body) = try await endpoint.send(request, ExchangeContext(label: "health")) {
                ($0.head, await $0.collect(upTo: 200))
            }
            let detail = "GET \(Redaction.redactURL(url)) → \(head.status) in \(Self.elapsed(since: started))"
            if (200..<300).contains(head.status) {
                report.pass("health", detail)
            } else {
                report.fail("health", detail + ": " + BridgeError.excerpt(body, limit: 200))
            }
        } catch {
            report.fail("health", "\(error)")
        }
    }

    static func elapsed(since start: ContinuousClock.Instant) -> String {
        let duration = ContinuousClock.now - start
        let micros = duration.components.seconds * 1_000_000 + duration.components.attoseconds / 1_000_000_000_000
        return "\(Double(micros / 100) / 10) ms"
    }
}

extension String {
    fileprivate func padding(to width: Int) -> String {
        count >= width ? self + " " : self + String(repeating: " ", count: width - count)
    }
}
