import Logging
import BridgeWire

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
extension Relay {
    /// How many `input_required` rounds one call may take before the bridge gives up on it.
    static let maxInputRounds = 16

    func relayLegacyHostToModern(_ request: HostRequest, facts: DiscoverFacts) async throws {
        switch request.method {
        case "initialize":
            translation.host.adopt(initialize: request.bytes)
            await answerLocally(request.id, result: initializeResult(facts))
        case "ping":
            await answerLocally(request.id, result: "{}")
        case "logging/setLevel":
            if let level = Envelope.string(atPath: ["params", "level"], in: request.bytes) {
                translation.host.setLogLevel(level)
            }
            await answerLocally(request.id, result: "{}")
        case "resources/subscribe", "resources/unsubscribe":
            if let uri = Envelope.string(atPath: ["params", "uri"], in: request.bytes),
               translation.host.subscription(uri, subscribe: request.method == "resources/subscribe") {
                listenForLegacyHost(facts)
            }
            await answerLocally(request.id, result: "{}")
        default:
            _ = await session.snapshot()  // requests piped behind initialize need the host's facts it brings
            try await translatedCall(request, facts: facts)
        }
    }

    /// The host's `notifications/initialized` (absorbed): start listening for the changes its era expects to hear.
    func legacyHostInitialized(_ facts: DiscoverFacts) {
        listenForLegacyHost(facts)
    }

    private func initializeResult(_ facts: DiscoverFacts) -> String {
        let info = facts.serverInfoJSON
            ?? #"{"name":"mcp-bridge","version":"\#(BridgeVersion.current)"}"#
        var result = #"{"protocolVersion":"\#(translation.host.negotiatedVersion)","#
            + #""capabilities":\#(facts.capabilitiesJSON),"serverInfo":\#(info)"#
        if let instructions = facts.instructionsJSON { result += #","instructions":"# + instructions }
        return result + "}"
    }

    /// The host's request with `_meta` added, relayed through as many `input_required` rounds as the server needs.
    private func translatedCall(_ request: HostRequest, facts: DiscoverFacts) async throws {
        let members = translation.host.metaMembers(version: facts.version)
        guard let base = MessageSplice.addingMeta(members, to: request.bytes) else {
            throw BridgeError(.protocolViolation, "\(request.method): params must be an object")
        }
        var bytes = base
        var id = request.id
        for round in 0..<Self.maxInputRounds {
            let box = ReplyBox()
            var current = try modernRequest(bytes, id: id, method: request.method)
            current.delivery = .capture(box)
            try await exchangeWithRetries(current)
            guard let reply = box.message else {
                throw BridgeError(.protocolViolation, "the server's reply held no response to this request")
            }
            guard let input = InputRequired(reply) else { return await deliver(reply, to: request.id) }
            let answers = try await askHost(input, in: reply.bytes)
            var retry = #""inputResponses":{"# + answers + "}"
            if let state = input.requestState { retry += #","requestState":"# + String(decoding: reply.bytes[state], as: UTF8.self) }
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

    private func modernRequest(_ bytes: [UInt8], id: RequestID, method: String) throws -> HostRequest {
        guard let envelope = try? Envelope.classify(bytes), let modern = ModernRequest(bytes, envelope: envelope) else {
            throw BridgeError(.protocolViolation, "\(method): the request could not carry 2026-07-28 _meta")
        }
        return HostRequest(bytes: bytes, id: id, method: method, modern: modern)
    }

    /// Sends the server's questions to the host as requests and collects the answers, as `inputResponses`
    /// members (`"key":<the host's result>`). An error from the host fails the call: the server cannot go on.
    private func askHost(_ input: InputRequired, in bytes: [UInt8]) async throws -> String {
        let questions = translation.questions
        let asked = input.questions.map { question in (question, questions.open()) }
        for (question, id) in asked {
            await output.write(OutputLine.flatten(InputRequired.hostRequest(question, id: id, in: bytes)))
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
                for (_, open) in asked[index...] { await tellHostCancelled(open, questions: questions) }
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
    private func tellHostCancelled(_ id: RequestID, questions: HostQuestions) async {
        questions.close(id)
        let text = #"{"jsonrpc":"2.0","method":"notifications/cancelled","params":{"requestId":\#(id.json),"#
            + #""reason":"the request that needed this answer was cancelled"}}"#
        await output.write(Array(text.utf8))
    }

    /// Keeps one `subscriptions/listen` open for what a legacy host expects to hear without asking: list changes
    /// the server advertises, and the resources it subscribed to. Replaced whenever the subscriptions change.
    private func listenForLegacyHost(_ facts: DiscoverFacts) {
        var notifications: [String] = []
        for (area, key) in [("tools", "toolsListChanged"), ("prompts", "promptsListChanged"),
                            ("resources", "resourcesListChanged")] where facts.capability(area, "listChanged") {
            notifications.append(#""\#(key)":true"#)
        }
        let uris = translation.host.subscriptions
        if !uris.isEmpty {
            notifications.append(#""resourceSubscriptions":["# + uris.map(JSONString.quote).joined(separator: ",") + "]")
        }
        guard !notifications.isEmpty else { return translation.hostListen.stop() }
        let members = translation.host.metaMembers(version: facts.version)
        let text = #"{"jsonrpc":"2.0","id":"mcp-bridge-listen","method":"subscriptions/listen","params":{"#
            + #""_meta":{\#(members)},"notifications":{\#(notifications.joined(separator: ","))}}}"#
        guard var request = try? modernRequest(Array(text.utf8), id: .string("mcp-bridge-listen"),
                                                method: "subscriptions/listen") else { return }
        request.delivery = .capture(ReplyBox())
        request.intercept = { message in
            // The acknowledgement and the listen's own teardown mean nothing to a 2025 host.
            message.envelope.method == "notifications/subscriptions/acknowledged"
                || message.envelope.method == "notifications/cancelled"
        }
        let listen = request
        translation.hostListen.replace { [self] in
            // A listen the server ends gracefully is opened again: the host still expects to hear of changes.
            while !Task.isCancelled {
                do {
                    try await relayListen(listen)
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
