import BridgeWire
import Logging

/// A 2026-07-28 host talking to a legacy server: the bridge plays the stateless era towards the host and the
/// handshake era (with its session) towards the server.
///
/// - The bridge runs `initialize` itself, once, with the capabilities and clientInfo from the host's first `_meta`,
///   and keeps the session (renewed on 404 like any other); `server/discover` is answered from its result.
/// - Requests go out as the host wrote them less the 2026-07-28 envelope in `_meta` (`RequestShape`: a dual-era
///   server behind a 2025 front refuses it), with the session's headers instead of the 2026 ones.
/// - A server request in the middle of a call (elicitation, sampling, roots) becomes an `input_required` result
///   for the host, carrying a `requestState` of the bridge's; the legacy stream stays open, and when the host
///   retries with `inputResponses`, the answer is POSTed to the server and the call's final result answers the
///   retry. Server pings are answered by the bridge; log notifications reach the host only if its request asked
///   for them with `logLevel`, as a modern server would behave.
///
/// Owns its state: the handshake it ran, the parked calls, the host's listens and the calls in flight.
struct ModernHostTranslator: Sendable {
    let channel: any ServerChannel
    let session: SessionState
    let routing: ReplyRouting
    /// Opens the legacy server's GET stream once the bridge's own handshake is done.
    let startServerStream: @Sendable () -> Void
    let link = LegacyLink()
    let parked = ParkedCalls()
    let listens = ListenRegistry()
    let activeCalls = ActiveCalls()

    var sink: ReplySink { routing.sink }
    var logger: Logger { routing.logger }

    func handle(_ request: HostRequest) async throws {
        if let modern = request.modern, !ProtocolVersions.modern.contains(modern.protocolVersion) {
            return await refuseVersion(request, requested: modern.protocolVersion)
        }
        let facts = try await link.facts { await initialize(for: request) }
        switch request.method {
        case "server/discover":
            await sink.answer(request.id, result: facts.discoverResult())
        case "subscriptions/listen":
            try await serveListen(request)
        default:
            if let token = Envelope.string(atPath: ["params", "requestState"], in: request.bytes),
               parked.resume(token, with: request) {
                return  // the parked call answers this retry
            }
            try await call(request)
        }
    }

    /// stdin ended: no retry the host could still send will arrive.
    func stop() {
        parked.abandonAll()
    }

    private func refuseVersion(_ request: HostRequest, requested: String) async {
        let supported = "[" + ProtocolVersions.modern.map(JSONString.quote).joined(separator: ",") + "]"
        await sink.fail(request.id, code: UnsupportedVersion.code, message: "Unsupported protocol version",
                        data: [("supported", supported), ("requested", JSONString.quote(requested))])
    }

    /// The bridge's own handshake with the legacy server, on behalf of the host whose first request is `request`.
    private func initialize(for request: HostRequest) async -> Result<InitializeFacts, BridgeError> {
        func meta(_ key: String) -> String? {
            guard let value = try? JSONScanner.value(atPath: ["params", "_meta", key], in: request.bytes),
                  value.kind == .object else { return nil }
            return String(decoding: request.bytes[value.range], as: UTF8.self)
        }
        let info = meta(ProtocolVersions.MetaKey.clientInfo)
            ?? #"{"name":"mcp-bridge","version":"\#(BridgeVersion.current)"}"#
        let id = RequestID.string("mcp-bridge-initialize")
        let params = #"{"protocolVersion":"\#(ProtocolVersions.latestHandshake)","#
            + #""capabilities":\#(meta(ProtocolVersions.MetaKey.clientCapabilities) ?? "{}"),"clientInfo":\#(info)}"#
        let initialize = HostRequest(bytes: JSONRPCMessage.request(id: id, method: "initialize", params: params),
                                     id: id, method: "initialize")
        await session.beginInitialize(initialize.bytes)
        var reply: ServerMessage?
        do {
            try await channel.call(initialize) { message in
                await routing.route(message, of: initialize) { reply = $0 }
            }
        } catch {
            await session.finishInitialize()
            return .failure(error as? BridgeError ?? BridgeError(.protocolViolation, "initialize failed: \(error)"))
        }
        await session.finishInitialize()
        guard let reply, let facts = InitializeFacts(reply) else {
            let text = reply.flatMap { Envelope.string(atPath: ["error", "message"], in: $0.bytes) }
            return .failure(BridgeError(.incompatibleProtocol, "the server (2025 era) refused the bridge's initialize"
                + (text.map { ": \($0)" } ?? "")))
        }
        let initialized = JSONRPCMessage.notification(method: "notifications/initialized")
        await session.rememberInitialized(initialized)
        let status = await channel.send(initialized, what: "notifications/initialized")
        if let status, (200..<300).contains(status) { startServerStream() }
        logger.debug("initialized the legacy server for a 2026-07-28 host")
        return .success(facts)
    }

    /// One call relayed to the legacy server; server requests on its stream become `input_required` rounds.
    private func call(_ request: HostRequest) async throws {
        let current = CurrentHostID(request.id, task: sink.inFlight.task(of: request.id))
        let wantsLogs = request.modern.map { _ in
            (try? JSONScanner.value(atPath: ["params", "_meta", ProtocolVersions.MetaKey.logLevel],
                                    in: request.bytes)) != nil
        } ?? true
        var legacy = request
        legacy.modern = nil
        legacy.bytes = RequestShape.forLegacyServer(request.bytes)
        let offCall: ActiveCalls.Handler = { message in
            if message.envelope.kind == .notification {
                return message.envelope.method == "notifications/message" && !wantsLogs
            }
            return await serverRequestDuringCall(message, current: current)
        }
        let key = activeCalls.add(offCall)
        defer { activeCalls.remove(key) }
        var reply: ServerMessage?
        do {
            try await channel.call(legacy) { message in
                let offStream = message.envelope.kind == .request || message.envelope.kind == .notification
                if offStream, await offCall(message) { return false }
                return await routing.route(message, of: legacy) { reply = $0 }
            }
        } catch let error as BridgeError where current.id != request.id {
            return await sink.fail(current.id, with: error)
        }
        guard let reply else {
            throw BridgeError(.protocolViolation, "the server's reply held no response to this request")
        }
        if current.id == request.id, reply.envelope.isError,
           Envelope.number(atPath: ["error", "code"], in: reply.bytes) == UnsupportedVersion.code {
            // A legacy server does not answer -32022: the server was replaced by a 2026-07-28 one.
            throw BridgeError(.serverChangedEra, "the server refused the 2025 protocol version the bridge spoke to "
                + "it (-32022): it was replaced by a 2026-07-28 server; retry, or pin the era with --protocol",
                              body: reply.bytes)
        }
        await sink.answer(current.id, with: ResultShape.forModernHost(reply, method: request.method))
    }
}
