import BridgeWire
import Logging
import Synchronization

extension ModernHostTranslator {
    /// A server request on a call's stream: answered by the bridge (ping), or turned into an `input_required`
    /// result for the host, waiting for its retry. Always handled: a modern host cannot take server requests.
    func serverRequestDuringCall(_ message: ServerMessage, current: CurrentHostID) async -> Bool {
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
        let token = parked.open()
        let question = message.envelope.params.map { String(decoding: message.bytes[$0], as: UTF8.self) } ?? "{}"
        let result = #"{"resultType":"input_required","inputRequests":{"\#(key)":{"method":"#
            + JSONString.quote(message.envelope.method ?? "") + #","params":\#(question)}},"requestState":"#
            + JSONString.quote(token) + "}"
        guard await sink.answer(current.id, result: result) else {
            // Nobody is left to answer (the call was cancelled, or the request came outside any call).
            parked.close(token)
            return await answerServer(serverID, error: -32603, "no 2026-07-28 call of the host is waiting for "
                + "\(message.envelope.method ?? "this request")")
        }
        switch await parked.wait(token) {
        case .retried(let retry):
            guard let value = try? JSONScanner.value(atPath: ["params", "inputResponses", key], in: retry.bytes) else {
                await answerServer(serverID, error: -32602, "the host retried without an answer")
                current.id = retry.id
                return
            }
            current.id = retry.id
            // Cancelling the retry now cancels this call, and the server hears of it under the original id.
            sink.inFlight.adopt(retry.id, task: current.task, upstreamID: current.originalID)
            await answerServer(serverID, result: String(decoding: retry.bytes[value.range], as: UTF8.self))
        case .timedOut, .cancelled:
            await answerServer(serverID, error: -32603, "the host never answered \(message.envelope.method ?? "")")
        }
    }

    private func answerServer(_ id: RequestID, result: String) async {
        await channel.send(JSONRPCMessage.result(id: id, result), what: "response \(id)")
    }

    private func answerServer(_ id: RequestID, error code: Int, _ message: String) async {
        await channel.send(ErrorResponse.line(id: id, code: code, message: message), what: "response \(id)")
    }

    /// Server messages outside any call, for a modern host: list changes go to the listens that asked for them,
    /// pings are answered, a question goes to the only call in flight (the 2024-11-05 stream carries them all).
    func routeUnattached(_ message: ServerMessage) async {
        guard message.envelope.kind == .notification, let method = message.envelope.method else {
            if message.envelope.kind == .request {
                if let sole = activeCalls.sole, await sole(message) { return }
                _ = await serverRequestDuringCall(message, current: CurrentHostID(.string("mcp-bridge-none")))
            }
            return
        }
        // Progress for a call whose answers travel on the shared 2024-11-05 stream: the token is the host's own.
        if method == "notifications/progress" { return await sink.send(message.bytes) }
        let uri = Envelope.string(atPath: ["params", "uri"], in: message.bytes)
        for listen in listens.listeners(for: method, uri: uri) {
            let member = #""\#(ProtocolVersions.MetaKey.subscriptionID)":\#(listen.json)"#
            if let tagged = MessageSplice.addingMeta(member, to: message.bytes) { await sink.send(tagged) }
        }
    }

    /// A modern host's `subscriptions/listen`, served from the legacy server's GET stream until the host cancels.
    func serveListen(_ request: HostRequest) async throws {
        let interest = ListenRegistry.Interest(request: request.bytes)
        let granted = (try? JSONScanner.value(atPath: ["params", "notifications"], in: request.bytes))
            .map { String(decoding: request.bytes[$0.range], as: UTF8.self) } ?? "{}"
        listens.add(request.id, interest)
        defer { listens.remove(request.id) }
        for uri in interest.resourceURIs.sorted() { await resourceSubscription(uri, subscribe: true) }
        await sink.send(JSONRPCMessage.notification(method: "notifications/subscriptions/acknowledged",
            params: #"{"notifications":"# + granted
                + #","_meta":{"\#(ProtocolVersions.MetaKey.subscriptionID)":\#(request.id.json)}}"#))
        await Self.waitUntilCancelled()
        for uri in interest.resourceURIs.sorted() { await resourceSubscription(uri, subscribe: false) }
        throw CancellationError()
    }

    private func resourceSubscription(_ uri: String, subscribe: Bool) async {
        let method = subscribe ? "resources/subscribe" : "resources/unsubscribe"
        let id = RequestID.string("mcp-bridge-\(subscribe ? "" : "un")subscribe-"
            + String(UInt32.random(in: .min ... .max)))
        let request = HostRequest(bytes: JSONRPCMessage.request(id: id, method: method,
                                                                params: #"{"uri":\#(JSONString.quote(uri))}"#),
                                  id: id, method: method)
        do {
            try await channel.call(request) { message in await routing.route(message, of: request) { _ in } }
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
