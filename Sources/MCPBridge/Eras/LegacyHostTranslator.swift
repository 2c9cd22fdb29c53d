import BridgeRuntime
import BridgeWire
import Logging

/// A 2025-era host talking to a 2026-07-28 server: the bridge plays the handshake era towards the host and the
/// stateless era towards the server.
///
/// - `initialize` is answered from `server/discover` (capabilities, serverInfo, instructions verbatim), with the
///   version the host asked for when the bridge knows it; `notifications/initialized` is absorbed.
/// - Every other request gets the `_meta` a modern server requires (version, the host's capabilities and
///   clientInfo from its `initialize`, its `logging/setLevel` level), spliced into the host's own bytes.
/// - `ping`, `logging/setLevel`, `resources/subscribe` and `resources/unsubscribe` are answered by the bridge; the
///   subscriptions and list-changed interest become one `subscriptions/listen` the bridge keeps open.
/// - An `input_required` result becomes requests to the host (elicitation, sampling, roots); the call is sent
///   again with the host's answers and the server's `requestState`, and the host sees one answer, under its id.
///
/// Owns its state: the host's profile, the questions it asked the host, and the listen it keeps open.
struct LegacyHostTranslator: Sendable {
    /// How many `input_required` rounds one call may take before the bridge gives up on it.
    static let maxInputRounds = 16

    /// Streamable HTTP (a 2026-07-28 server has no other transport).
    let channel: any ServerChannel
    let session: SessionState
    let routing: ReplyRouting
    let direct: DirectHandler
    /// A 2025 host's `initialize` facts, for the `_meta` of its requests to a 2026-07-28 server.
    let host = HostProfile()
    /// Requests the bridge sent the host on the server's behalf (`input_required`), awaiting answers.
    let questions = HostQuestions()
    /// The host's list-changed and resource subscriptions, held open as one `subscriptions/listen`.
    let hostListen = TaskSlot()

    private var sink: ReplySink { routing.sink }
    private var logger: Logger { routing.logger }

    func handle(_ request: HostRequest, facts: DiscoverFacts) async throws {
        switch request.method {
        case "initialize":
            host.adopt(initialize: request.bytes)
            await sink.answer(request.id, result: initializeResult(facts))
        case "ping":
            await sink.answer(request.id, result: "{}")
        case "logging/setLevel":
            if let level = Envelope.string(atPath: ["params", "level"], in: request.bytes) {
                host.setLogLevel(level)
            }
            await sink.answer(request.id, result: "{}")
        case "resources/subscribe", "resources/unsubscribe":
            if let uri = Envelope.string(atPath: ["params", "uri"], in: request.bytes),
               host.subscription(uri, subscribe: request.method == "resources/subscribe") {
                listen(facts)
            }
            await sink.answer(request.id, result: "{}")
        default:
            await session.handshakeSettled()  // requests piped behind initialize need the facts it brings
            try await translatedCall(request, facts: facts)
        }
    }

    /// A request relayed as written while the server may still move to 2026-07-28 (`EraRouter.leaveSession`):
    /// keeps what its translation would then need.
    func remember(_ request: HostRequest) {
        if request.method == "logging/setLevel" {
            if let level = Envelope.string(atPath: ["params", "level"], in: request.bytes) { host.setLogLevel(level) }
        } else if let uri = Envelope.string(atPath: ["params", "uri"], in: request.bytes) {
            _ = host.subscription(uri, subscribe: request.method == "resources/subscribe")
        }
    }

    /// The host's `notifications/initialized` (absorbed): start listening for the changes its era expects to hear.
    func hostInitialized(_ facts: DiscoverFacts) {
        listen(facts)
    }

    /// stdin ended: nothing the host could still answer will arrive.
    func stop() {
        questions.abandonAll()
        hostListen.stop()
    }

    private func initializeResult(_ facts: DiscoverFacts) -> String {
        let info = facts.serverInfoJSON
            ?? #"{"name":"mcp-bridge","version":"\#(BridgeVersion.current)"}"#
        var result = #"{"protocolVersion":"\#(host.negotiatedVersion)","#
            + #""capabilities":\#(facts.capabilitiesJSON),"serverInfo":\#(info)"#
        if let instructions = facts.instructionsJSON { result += #","instructions":"# + instructions }
        return result + "}"
    }

    /// The host's request with `_meta` added, relayed through as many `input_required` rounds as the server needs.
    private func translatedCall(_ request: HostRequest, facts: DiscoverFacts) async throws {
        let members = host.metaMembers(version: facts.version)
        guard let base = MessageSplice.addingMeta(members, to: request.bytes) else {
            throw BridgeError(.protocolViolation, "\(request.method): params must be an object")
        }
        var bytes = base
        var id = request.id
        for round in 0..<Self.maxInputRounds {
            var current = try Self.modernRequest(bytes, id: id, method: request.method)
            current.observation = request.observation
            var reply: ServerMessage?
            try await channel.call(current) { message in
                await routing.route(message, of: current) { reply = $0 }
            }
            guard let reply else {
                throw BridgeError(.protocolViolation, "the server's reply held no response to this request")
            }
            guard let input = InputRequired(reply) else {
                await sink.answer(request.id, with: ResultShape.forLegacyHost(reply))
                return
            }
            let answers = try await askHost(input, in: reply.bytes)
            var retry = #""inputResponses":{"# + answers + "}"
            if let state = input.requestState {
                retry += #","requestState":"# + String(decoding: reply.bytes[state], as: UTF8.self)
            }
            id = .string("mcp-bridge-retry-\(round + 1)-" + String(UInt32.random(in: .min ... .max), radix: 36))
            guard let added = MessageSplice.addingParams(retry, to: base),
                  let renamed = MessageSplice.replacingID(in: added, with: id) else {
                throw BridgeError(.protocolViolation, "could not build the retry of \(request.method)")
            }
            bytes = renamed
        }
        throw BridgeError(.hostInputFailed, "the server asked for input \(Self.maxInputRounds) times for one "
            + "\(request.method) and never finished it; mcp-bridge gave up")
    }

    static func modernRequest(_ bytes: [UInt8], id: RequestID, method: String) throws -> HostRequest {
        guard let envelope = try? Envelope.classify(bytes), let modern = ModernRequest(bytes, envelope: envelope) else {
            throw BridgeError(.protocolViolation, "\(method): the request could not carry 2026-07-28 _meta")
        }
        return HostRequest(bytes: bytes, id: id, method: method, modern: modern)
    }

    /// Sends the server's questions to the host as requests and collects the answers, as `inputResponses`
    /// members (`"key":<the host's result>`). An error from the host fails the call: the server cannot go on.
    private func askHost(_ input: InputRequired, in bytes: [UInt8]) async throws -> String {
        let asked = input.questions.map { question in (question, questions.open()) }
        for (question, id) in asked {
            await sink.send(InputRequired.hostRequest(question, id: id, in: bytes))
        }
        var members: [String] = []
        for (index, (question, id)) in asked.enumerated() {
            let message: ServerMessage
            switch await questions.wait(id) {
            case .answered(let answer):
                message = answer
            case .abandoned:
                throw BridgeError(.hostInputFailed, "the server needs the host to answer \(question.method), but the "
                    + "host closed its input first; the call cannot finish")
            case .cancelled:
                for (_, open) in asked[index...] { await withdraw(open) }
                throw CancellationError()
            }
            guard !message.envelope.isError, let result = message.envelope.result else {
                let text = Envelope.string(atPath: ["error", "message"], in: message.bytes) ?? "an error"
                throw BridgeError(.hostInputFailed, "the server needs the host to answer \(question.method), and "
                    + "the host answered with \(text); the call cannot finish")
            }
            members.append(JSONString.quote(question.key) + ":" + String(decoding: message.bytes[result], as: UTF8.self))
        }
        return members.joined(separator: ",")
    }

    /// The call was cancelled while the host still had the server's question: withdraw it.
    private func withdraw(_ id: RequestID) async {
        questions.close(id)
        await sink.send(JSONRPCMessage.cancelled(id, reason: "the request that needed this answer was cancelled"))
    }

    /// Keeps one `subscriptions/listen` open for what a legacy host expects to hear without asking: list changes
    /// the server advertises, and the resources it subscribed to. Replaced whenever the subscriptions change.
    private func listen(_ facts: DiscoverFacts) {
        var notifications: [String] = []
        for (area, key) in [("tools", "toolsListChanged"), ("prompts", "promptsListChanged"),
                            ("resources", "resourcesListChanged")] where facts.capability(area, "listChanged") {
            notifications.append(#""\#(key)":true"#)
        }
        let uris = host.subscriptions
        if !uris.isEmpty {
            notifications.append(#""resourceSubscriptions":["# + uris.map(JSONString.quote).joined(separator: ",") + "]")
        }
        guard !notifications.isEmpty else { return hostListen.stop() }
        let members = host.metaMembers(version: facts.version)
        let text = #"{"jsonrpc":"2.0","id":"mcp-bridge-listen","method":"subscriptions/listen","params":{"#
            + #""_meta":{\#(members)},"notifications":{\#(notifications.joined(separator: ","))}}}"#
        guard let listen = try? Self.modernRequest(Array(text.utf8), id: .string("mcp-bridge-listen"),
                                                   method: "subscriptions/listen") else { return }
        hostListen.replace { [direct, routing, logger] in
            // A listen the server ends gracefully is opened again: the host still expects to hear of changes.
            while !Task.isCancelled {
                do {
                    try await direct.listen(listen) { message in
                        // The acknowledgement and the listen's own teardown mean nothing to a 2025 host.
                        let method = message.envelope.method
                        if method == "notifications/subscriptions/acknowledged" || method == "notifications/cancelled" {
                            return false
                        }
                        return await routing.route(message, of: listen) { _ in }
                    }
                } catch is CancellationError {
                    return
                } catch {
                    logger.warning("listening for server changes failed", metadata: ["error": "\(error)"])
                }
                try? await Task.sleep(for: .seconds(5))
            }
        }
    }
}
