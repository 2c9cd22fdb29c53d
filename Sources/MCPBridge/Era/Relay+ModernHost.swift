import Logging
import Synchronization
import BridgeWire

/// A 2026-07-28 host talking to a legacy server: the bridge plays the stateless era towards the host and the
/// handshake era (with its session) towards the server.
///
/// - The bridge runs `initialize` itself, once, with the capabilities and clientInfo from the host's first `_meta`,
///   and keeps the session (renewed on 404 like any other); `server/discover` is answered from its result.
/// - Requests go out as the host wrote them (legacy servers ignore the `_meta` keys they do not know), with the
///   session's headers instead of the 2026 ones.
/// - A server request in the middle of a call (elicitation, sampling, roots) becomes an `input_required` result
///   for the host, carrying a `requestState` of the bridge's; the legacy stream stays open, and when the host
///   retries with `inputResponses`, the answer is POSTed to the server and the call's final result answers the
///   retry. Server pings are answered by the bridge; log notifications reach the host only if its request asked
///   for them with `logLevel`, as a modern server would behave.
extension Relay {
    func relayModernHostToLegacy(_ request: HostRequest) async throws {
        if let modern = request.modern, !ProtocolVersions.modern.contains(modern.protocolVersion) {
            return await refuseVersion(request, requested: modern.protocolVersion)
        }
        let facts = try await translation.legacyLink.facts { await self.initializeForModernHost(request) }
        switch request.method {
        case "server/discover":
            await answerLocally(request.id, result: facts.discoverResult())
        case "subscriptions/listen":
            try await serveListen(request)
        default:
            if let token = Envelope.string(atPath: ["params", "requestState"], in: request.bytes),
               translation.parked.resume(token, with: request) {
                return  // the parked call answers this retry
            }
            try await legacyCall(request)
        }
    }

    private func refuseVersion(_ request: HostRequest, requested: String) async {
        guard inFlight.claim(request.id) else { return }
        let supported = "[" + ProtocolVersions.modern.map(JSONString.quote).joined(separator: ",") + "]"
        await output.write(ErrorResponse.line(id: request.id, code: UnsupportedVersion.code,
                                              message: "Unsupported protocol version",
                                              data: [("supported", supported), ("requested", JSONString.quote(requested))]))
    }

    /// The bridge's own handshake with the legacy server, on behalf of the host whose first request is `request`.
    private func initializeForModernHost(_ request: HostRequest) async -> Result<InitializeFacts, BridgeError> {
        func meta(_ key: String) -> String? {
            guard let value = try? JSONScanner.value(atPath: ["params", "_meta", key], in: request.bytes),
                  value.kind == .object else { return nil }
            return String(decoding: request.bytes[value.range], as: UTF8.self)
        }
        let info = meta(ProtocolVersions.MetaKey.clientInfo)
            ?? #"{"name":"mcp-bridge","version":"\#(BridgeVersion.current)"}"#
        let text = #"{"jsonrpc":"2.0","id":"mcp-bridge-initialize","method":"initialize","params":{"#
            + #""protocolVersion":"\#(ProtocolVersions.latestHandshake)","#
            + #""capabilities":\#(meta(ProtocolVersions.MetaKey.clientCapabilities) ?? "{}"),"clientInfo":\#(info)}}"#
        let box = ReplyBox()
        var initialize = HostRequest(bytes: Array(text.utf8), id: .string("mcp-bridge-initialize"),
                                     method: "initialize")
        initialize.delivery = .capture(box)
        await session.beginInitialize(initialize.bytes)
        do {
            try await exchangeOverSelectedTransport(initialize)
        } catch {
            await session.finishInitialize()
            return .failure(error as? BridgeError ?? BridgeError(.protocolViolation, "initialize failed: \(error)"))
        }
        await session.finishInitialize()
        guard let reply = box.message, let facts = InitializeFacts(reply) else {
            let text = box.message.flatMap { Envelope.string(atPath: ["error", "message"], in: $0.bytes) }
            return .failure(BridgeError(.incompatibleProtocol, "the server (2025 era) refused the bridge's initialize"
                + (text.map { ": \($0)" } ?? "")))
        }
        let initialized = Array(#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#.utf8)
        await session.rememberInitialized(initialized)
        let status = await relayOneWay(initialized, what: "notifications/initialized")
        if let status, (200..<300).contains(status) { translation.startServerStream.withLock { $0 }?() }
        logger.debug("initialized the legacy server for a 2026-07-28 host")
        return .success(facts)
    }

    /// One call relayed to the legacy server; server requests on its stream become `input_required` rounds.
    private func legacyCall(_ request: HostRequest) async throws {
        let box = ReplyBox()
        let current = CurrentHostID(request.id, task: inFlight.task(of: request.id))
        let wantsLogs = request.modern.map { _ in
            (try? JSONScanner.value(atPath: ["params", "_meta", ProtocolVersions.MetaKey.logLevel],
                                    in: request.bytes)) != nil
        } ?? true
        var legacy = request
        legacy.modern = nil
        legacy.delivery = .capture(box)
        let intercept: @Sendable (ServerMessage) async -> Bool = { message in
            if message.envelope.kind == .notification {
                return message.envelope.method == "notifications/message" && !wantsLogs
            }
            return await self.serverRequestDuringCall(message, current: current)
        }
        legacy.intercept = intercept
        let key = translation.activeCalls.add(intercept)
        defer { translation.activeCalls.remove(key) }
        do {
            try await exchangeOverSelectedTransport(legacy)
        } catch let error as BridgeError where current.id != request.id {
            return await answer(current.id, with: error)
        }
        guard let reply = box.message else {
            throw BridgeError(.protocolViolation, "the server's reply held no response to this request")
        }
        if current.id == request.id, reply.envelope.isError,
           Envelope.number(atPath: ["error", "code"], in: reply.bytes) == UnsupportedVersion.code {
            // A legacy server does not answer -32022: the server was replaced by a 2026-07-28 one.
            throw BridgeError(.serverChangedEra, "the server refused the 2025 protocol version the bridge spoke to "
                + "it (-32022): it was replaced by a 2026-07-28 server; retry, or pin the era with --protocol",
                              body: reply.bytes)
        }
        await deliver(reply, to: current.id)
    }

    /// A server request on a call's stream: answered by the bridge (ping), or turned into an `input_required`
    /// result for the host, waiting for its retry. Always handled: a modern host cannot take server requests.
    private func serverRequestDuringCall(_ message: ServerMessage, current: CurrentHostID) async -> Bool {
        guard let serverID = message.envelope.id, let method = message.envelope.method else { return true }
        switch method {
        case "ping":
            await answerServer(serverID, result: "{}")
        case "elicitation/create", "sampling/createMessage", "roots/list":
            await park(message, serverID: serverID, current: current)
        default:
            await answerServer(serverID, error: -32601, "\(method) is not available: the host speaks MCP 2026-07-28")
        }
        return true
    }

    /// Hands the server's question to the host as `input_required` and waits for the retry that answers it.
    private func park(_ message: ServerMessage, serverID: RequestID, current: CurrentHostID) async {
        let key = "input"
        let token = translation.parked.open()
        let question = message.envelope.params.map { String(decoding: message.bytes[$0], as: UTF8.self) } ?? "{}"
        let result = #"{"resultType":"input_required","inputRequests":{"\#(key)":{"method":"#
            + JSONString.quote(message.envelope.method ?? "") + #","params":\#(question)}},"requestState":"#
            + JSONString.quote(token) + "}"
        guard await answerLocally(current.id, result: result) else {
            // Nobody is left to answer (the call was cancelled, or the request came outside any call).
            translation.parked.close(token)
            return await answerServer(serverID, error: -32603, "no 2026-07-28 call of the host is waiting for "
                + "\(message.envelope.method ?? "this request")")
        }
        switch await translation.parked.wait(token) {
        case .retried(let retry):
            guard let value = try? JSONScanner.value(atPath: ["params", "inputResponses", key], in: retry.bytes) else {
                await answerServer(serverID, error: -32602, "the host retried without an answer")
                current.id = retry.id
                return
            }
            current.id = retry.id
            // Cancelling the retry now cancels this call, and the server hears of it under the original id.
            inFlight.adopt(retry.id, task: current.task, upstreamID: current.originalID)
            await answerServer(serverID, result: String(decoding: retry.bytes[value.range], as: UTF8.self))
        case .timedOut, .cancelled:
            await answerServer(serverID, error: -32603, "the host never answered \(message.envelope.method ?? "")")
        }
    }

    private func answerServer(_ id: RequestID, result: String) async {
        await relayOneWay(Array(#"{"jsonrpc":"2.0","id":\#(id.json),"result":\#(result)}"#.utf8),
                          what: "response \(id)")
    }

    private func answerServer(_ id: RequestID, error code: Int, _ message: String) async {
        await relayOneWay(ErrorResponse.line(id: id, code: code, message: message), what: "response \(id)")
    }

    /// Server messages outside any call, for a modern host: list changes go to the listens that asked for them,
    /// pings are answered, a question goes to the only call in flight (the 2024-11-05 stream carries them all).
    func routeUnattachedToModernHost(_ message: ServerMessage) async {
        guard message.envelope.kind == .notification, let method = message.envelope.method else {
            if message.envelope.kind == .request {
                if let sole = translation.activeCalls.sole, await sole(message) { return }
                _ = await serverRequestDuringCall(message, current: CurrentHostID(.string("mcp-bridge-none")))
            }
            return
        }
        // Progress for a call whose answers travel on the shared 2024-11-05 stream: the token is the host's own.
        if method == "notifications/progress" { return await output.write(OutputLine.flatten(message.bytes)) }
        let uri = Envelope.string(atPath: ["params", "uri"], in: message.bytes)
        for listen in translation.listens.listeners(for: method, uri: uri) {
            let member = #""\#(ProtocolVersions.MetaKey.subscriptionID)":\#(listen.json)"#
            if let tagged = MessageSplice.addingMeta(member, to: message.bytes) {
                await output.write(OutputLine.flatten(tagged))
            }
        }
    }

    /// A modern host's `subscriptions/listen`, served from the legacy server's GET stream until the host cancels.
    private func serveListen(_ request: HostRequest) async throws {
        let interest = ListenRegistry.Interest(request: request.bytes)
        let granted = (try? JSONScanner.value(atPath: ["params", "notifications"], in: request.bytes))
            .map { String(decoding: request.bytes[$0.range], as: UTF8.self) } ?? "{}"
        translation.listens.add(request.id, interest)
        defer { translation.listens.remove(request.id) }
        for uri in interest.resourceURIs.sorted() { await resourceSubscription(uri, subscribe: true) }
        let ack = #"{"jsonrpc":"2.0","method":"notifications/subscriptions/acknowledged","params":{"notifications":"#
            + granted + #","_meta":{"\#(ProtocolVersions.MetaKey.subscriptionID)":\#(request.id.json)}}}"#
        await output.write(Array(ack.utf8))
        await Self.waitUntilCancelled()
        for uri in interest.resourceURIs.sorted() { await resourceSubscription(uri, subscribe: false) }
        throw CancellationError()
    }

    private func resourceSubscription(_ uri: String, subscribe: Bool) async {
        let method = subscribe ? "resources/subscribe" : "resources/unsubscribe"
        let id = RequestID.string("mcp-bridge-\(subscribe ? "" : "un")subscribe-" + String(UInt32.random(in: .min ... .max)))
        let text = #"{"jsonrpc":"2.0","id":\#(id.json),"method":"\#(method)","params":{"uri":\#(JSONString.quote(uri))}}"#
        var request = HostRequest(bytes: Array(text.utf8), id: id, method: method)
        request.delivery = .capture(ReplyBox())
        do {
            try await exchangeOverSelectedTransport(request)
        } catch {
            logger.warning("could not \(subscribe ? "subscribe to" : "unsubscribe from") a resource",
                           metadata: ["error": "\(error)"])
        }
    }

    private static func waitUntilCancelled() async {
        let (stream, _) = AsyncStream.makeStream(of: Never.self)
        for await _ in stream {}
    }
}

/// The host id a call to a legacy server answers now: the original request's, then each retry's.
final class CurrentHostID: Sendable {
    private let value: Mutex<RequestID>
    /// The id the legacy server knows the call by (the host's first request), and the task relaying it.
    let originalID: RequestID
    let task: Task<Void, Never>?

    init(_ id: RequestID, task: Task<Void, Never>? = nil) {
        value = Mutex(id)
        originalID = id
        self.task = task
    }

    var id: RequestID {
        get { value.withLock { $0 } }
        set { value.withLock { $0 = newValue } }
    }
}
