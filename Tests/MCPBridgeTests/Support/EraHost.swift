import Foundation

/// A scripted host of one protocol era driving a `BridgeProcess`, for the interoperability matrix.
///
/// It behaves as a correct host of its era would, so whatever goes wrong is the bridge's (or the server's) doing:
/// legacy hosts run the `initialize` handshake and answer server requests on stdout (elicitation if their era has
/// it, `ping`, and -32601 for anything else); the 2026-07-28 host sends no handshake, puts its `_meta` on every
/// request, never writes a JSON-RPC response and cancels a request it stops waiting for. Nothing here throws out
/// of the matrix: every problem becomes a `CheckOutcome` or an entry in `problems`, so one broken cell never hides
/// the others.
final class EraHost {
    /// How long a request may wait for its answer. Generous: the machine is shared and servers start cold.
    static let answerTimeout: Duration = .seconds(30)

    let era: HostEra
    let bridge: BridgeProcess
    /// Breaches of the bridge's guarantees seen anywhere in the cell (a second answer, a request sent to a 2026
    /// host, a bad exit), as opposed to a check that simply did not work.
    private(set) var problems: [String] = []
    private var nextID = 1
    private var answered: Set<Int> = []
    private var cancelled: Set<Int> = []
    private var startFailure: String?

    init(era: HostEra, bridge: BridgeProcess) {
        self.era = era
        self.bridge = bridge
    }

    /// What one request brought back: its answer and what the bridge wrote before it.
    struct Exchange {
        var response: [String: Any]
        var notifications: [[String: Any]] = []
        var serverRequests: [[String: Any]] = []
    }

    /// A request got no answer in time; the host cancelled it, as the spec tells a client to.
    struct NoAnswer: Error, CustomStringConvertible {
        let description: String
    }

    // MARK: - Lifecycle

    /// Legacy eras: `initialize` + `notifications/initialized`. A failure here fails every check of the cell with
    /// the same message (a legacy host stops when its handshake fails).
    func start() async {
        guard !era.isModern else { return }
        do {
            let params: [String: Any] = ["protocolVersion": era.rawValue, "capabilities": era.capabilities,
                                         "clientInfo": HostEra.clientInfo]
            let reply = try await exchange("initialize", params: params)
            guard let result = reply.response.result else {
                startFailure = "initialize → \(MessageText.describe(reply.response))"
                return
            }
            let version = result["protocolVersion"] as? String ?? "none"
            guard era.acceptableNegotiatedVersions.contains(version) else {
                startFailure = "initialize → protocolVersion \(version), which a \(era.rawValue) host cannot speak"
                return
            }
            try write(["jsonrpc": "2.0", "method": "notifications/initialized"])
        } catch {
            startFailure = "initialize → \(error)"
        }
    }

    /// Runs one check; `impossible` checks only that the host got exactly one answer and the bridge still relays.
    func run(_ check: InteropCheck, impossible: Bool = false) async -> CheckOutcome {
        if let startFailure { return .fail(startFailure) }
        do {
            switch check {
            case .list: return try await checkList()
            case .call: return try await checkCall()
            case .progress: return try await checkProgress()
            case .elicit, .contextElicit:
                return impossible ? try await probeImpossibleElicitation(check.elicitingTool)
                    : try await checkElicitation(check.elicitingTool)
            }
        } catch {
            return .fail("\(error)")
        }
    }

    /// Closes stdin as a finished host does and checks the bridge exits 0 without writing any further answer.
    /// Returns every problem seen in the cell.
    func finish() async -> [String] {
        do {
            try bridge.closeStdin()
            let deadline = ContinuousClock.now + .seconds(20)
            while let line = try await bridge.stdout.nextLine(timeout: deadline - ContinuousClock.now) {
                inspectLate(line)
            }
            let status = try await bridge.waitForExit(timeout: .seconds(5))
            if status != 0 { problems.append("the bridge exited with status \(status)") }
        } catch {
            problems.append("the bridge did not exit within 20 s of stdin closing")
            bridge.process.terminate()
        }
        return problems
    }

    // MARK: - Requests

    /// Sends one request and reads until its answer, dealing with what arrives meanwhile as this era's host would.
    /// `onServerRequest` answers a server request (legacy eras only); nil means the default for the era.
    func exchange(_ method: String, params: [String: Any], extraMeta: [String: Any] = [:],
                  onServerRequest: (([String: Any]) -> [String: Any])? = nil) async throws -> Exchange {
        let id = nextID
        nextID += 1
        let sentParams = method == "initialize" ? params : era.params(params, extraMeta: extraMeta)
        try write(["jsonrpc": "2.0", "id": id, "method": method, "params": sentParams])
        let deadline = ContinuousClock.now + Self.answerTimeout
        var exchange = Exchange(response: [:])
        while true {
            let message = try await nextMessage(until: deadline, waitingFor: id, method: method)
            if let serverMethod = message["method"] as? String {
                if message["id"] == nil {
                    exchange.notifications.append(message)
                } else {
                    exchange.serverRequests.append(message)
                    try answerServerRequest(message, method: serverMethod, using: onServerRequest)
                }
                continue
            }
            if let responseID = message["id"] as? Int, responseID == id {
                answered.insert(id)
                exchange.response = message
                return exchange
            }
            noteStray(message)
        }
    }

    /// The next stdout message, or `NoAnswer` (after cancelling `id`) once `deadline` passes or stdout closes.
    private func nextMessage(until deadline: ContinuousClock.Instant, waitingFor id: Int,
                             method: String) async throws -> [String: Any] {
        let remaining = deadline - ContinuousClock.now
        guard remaining > .zero, let line = try? await bridge.stdout.nextLine(timeout: remaining) else {
            if bridge.stdout.isClosed {
                throw NoAnswer(description: "\(method) (id \(id)): the bridge closed stdout without answering; "
                               + "stderr: \(stderrTail)")
            }
            cancel(id)
            throw NoAnswer(description: "\(method) (id \(id)): no answer within \(Self.answerTimeout)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            problems.append("a stdout line that is not a JSON object: \(MessageText.clipped(line))")
            return try await nextMessage(until: deadline, waitingFor: id, method: method)
        }
        return object
    }

    /// Legacy hosts answer every server request (silence would hang the server); a 2026-07-28 host must never get one.
    private func answerServerRequest(_ request: [String: Any], method: String,
                                     using handler: (([String: Any]) -> [String: Any])?) throws {
        guard let requestID = request["id"] else { return }
        if era.isModern {
            problems.append("a \(era.rawValue) host was sent a JSON-RPC request (\(method)), which its era forbids")
            return
        }
        var reply: [String: Any] = ["jsonrpc": "2.0", "id": requestID]
        if method == "ping" {
            reply["result"] = [String: Any]()
        } else if method == "elicitation/create", era.canElicit, let handler {
            reply["result"] = handler(request)
        } else {
            reply["error"] = ["code": -32601, "message": "Method not found: \(method)"]
        }
        try write(reply)
    }

    /// A timed-out request is cancelled (legacy: SHOULD; 2026-07-28 on stdio: MUST), so its late answer is no breach.
    private func cancel(_ id: Int) {
        cancelled.insert(id)
        try? write(["jsonrpc": "2.0", "method": "notifications/cancelled",
                    "params": ["requestId": id, "reason": "no answer in time"]])
    }

    /// A response that answers nothing pending: a second answer, or one for an id the host never used.
    private func noteStray(_ message: [String: Any]) {
        let id = message["id"] as? Int
        if let id, cancelled.contains(id) { return }
        let what: String
        if let id {
            what = answered.contains(id) ? "a second answer for id \(id)" : "an answer for unknown id \(id)"
        } else {
            what = message["id"] == nil ? "a message that is neither a request, a notification nor an answer"
                : "an answer whose id is not one the host sent"
        }
        problems.append("\(what): \(MessageText.clipped(MessageText.json(message)))")
    }

    private func inspectLate(_ line: String) {
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
            problems.append("a stdout line that is not a JSON object: \(MessageText.clipped(line))")
            return
        }
        if object["method"] == nil { noteStray(object) }
    }

    private func write(_ message: [String: Any]) throws {
        try bridge.send(MessageText.json(message))
    }

    /// The bridge's last stderr lines, to say why it stopped.
    var stderrTail: String {
        let lines = bridge.stderr.text.split(separator: "\n").suffix(3)
        return MessageText.clipped(lines.joined(separator: " | "), to: 400)
    }
}
