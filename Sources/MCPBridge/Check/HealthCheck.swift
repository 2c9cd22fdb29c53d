import Logging
import BridgeHTTP

/// `mcp-bridge check`: walks the handshake a host would make and reports each step in words a person can act on.
public struct HealthCheck: Sendable {
    let configuration: BridgeConfiguration
    let healthURL: String?

    public init(configuration: BridgeConfiguration, healthURL: String?) {
        self.configuration = configuration
        self.healthURL = healthURL
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
        let endpoint = RemoteEndpoint(configuration: configuration, driver: driver)
        var report = Report()
        report.lines.append("mcp-bridge check \(Redaction.redactURL(configuration.serverURL))")
        if let healthURL { await checkHealth(healthURL, driver: driver, into: &report) }
        guard report.healthy else { return report }
        var probe = HandshakeProbe(endpoint: endpoint, maxMessageBytes: configuration.maxMessageBytes)
        await probe.run(into: &report, tlsVerified: configuration.tls.verifyPeer)
        return report
    }

    private func checkHealth(_ url: String, driver: CurlDriver, into report: inout Report) async {
        let request = HTTPRequest(method: .get, url: url, headers: configuration.headers,
                                  connectTimeout: configuration.connectTimeout, totalTimeout: .seconds(10),
                                  tls: configuration.tls)
        let started = ContinuousClock.now
        var events = driver.start(request).events.makeAsyncIterator()
        do {
            let head = try await Relay.head(of: &events)
            let body = try await Relay.collect(&events, limit: 200)
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
