import Logging

/// The counts behind `--stats`: requests by method and outcome, the errors' codes, notifications, retries,
/// latencies and bytes, and the one summary line made of them at exit.
///
/// A value owned by `RequestMonitor` (behind its lock); latencies are kept one `Int` per request so the
/// percentiles are exact (8 bytes a request: 1 MB for 125,000 requests).
struct StatsTally: Sendable {
    /// method → outcome name (`result`, `error`) → count.
    private(set) var requests: [String: [String: Int]] = [:]
    private(set) var errorCodes: [Int: Int] = [:]
    /// Lines refused before they became requests (not JSON-RPC, a reused id, a hidden tool).
    private(set) var refused = 0
    private(set) var notificationsFromHost = 0
    /// Server notifications and requests (and the bridge's own questions) written to the host.
    private(set) var messagesToHost = 0
    private(set) var retries = 0
    private(set) var bytesIn = 0
    private(set) var bytesOut = 0
    private var latencies: [Int] = []

    mutating func record(method: String, outcome: RequestOutcome, microseconds: Int, attempts: Int, bytesIn: Int,
                         bytesOut: Int) {
        requests[method, default: [:]][outcome.name, default: 0] += 1
        if case .error(let code) = outcome { errorCodes[code, default: 0] += 1 }
        latencies.append(microseconds)
        retries += max(0, attempts - 1)
        self.bytesIn += bytesIn
        self.bytesOut += bytesOut
    }

    mutating func recordRefusal() { refused += 1 }
    mutating func recordHostNotification(bytes: Int) {
        notificationsFromHost += 1
        bytesIn += bytes
    }
    mutating func recordMessageToHost(bytes: Int) {
        messagesToHost += 1
        bytesOut += bytes
    }

    /// The summary's metadata (documented in the README, "Watching it"); numbers are numbers in JSON lines.
    var summary: Logger.Metadata {
        var byMethod: Logger.Metadata = [:]
        for (method, outcomes) in requests {
            byMethod[method] = .dictionary(outcomes.mapValues { .stringConvertible($0) })
        }
        var codes: Logger.Metadata = [:]
        for (code, count) in errorCodes { codes[String(code)] = .stringConvertible(count) }
        return [
            "requests": .dictionary(byMethod),
            "requests.total": .stringConvertible(latencies.count),
            "error_codes": .dictionary(codes),
            "refused": .stringConvertible(refused),
            "notifications.from_host": .stringConvertible(notificationsFromHost),
            "messages.to_host": .stringConvertible(messagesToHost),
            "retries": .stringConvertible(retries),
            "latency_ms": .dictionary(latencySummary),
            "bytes.in": .stringConvertible(bytesIn),
            "bytes.out": .stringConvertible(bytesOut),
        ]
    }

    /// p50, p90, p99 (nearest rank) and max, in milliseconds with microsecond precision.
    private var latencySummary: Logger.Metadata {
        guard !latencies.isEmpty else { return [:] }
        let sorted = latencies.sorted()
        func rank(_ percent: Int) -> Logger.MetadataValue {
            let index = max(0, (sorted.count * percent + 99) / 100 - 1)
            return .stringConvertible(Self.milliseconds(sorted[index]))
        }
        return ["p50": rank(50), "p90": rank(90), "p99": rank(99),
                "max": .stringConvertible(Self.milliseconds(sorted[sorted.count - 1]))]
    }

    static func milliseconds(_ microseconds: Int) -> Double {
        Double(microseconds) / 1000
    }
}
