import BridgeRuntime
import BridgeWire
import Logging

/// Picks, per request, how it reaches the server: as the host wrote it when host and server speak the same era,
/// else through the translator for that pairing. A request carrying 2026-07-28 `_meta` is a modern host's; any
/// other is a 2025-era host's. The server's era comes from `--protocol`; in `auto` a 2025 host's own `initialize`
/// and the `EraProbe` decide it (`EraRouter+Handshake`), and a session the server cannot keep moves a dual-era
/// server to 2026-07-28 for good.
struct EraRouter: Sendable {
    let eras: EraState
    let probe: EraProbe
    let direct: DirectHandler
    let legacyHost: LegacyHostTranslator
    let modernHost: ModernHostTranslator
    let channel: any ServerChannel
    let session: SessionState
    /// Closes the handshake era's GET stream (the session was given up for 2026-07-28).
    let stopServerStream: @Sendable () -> Void

    var sink: ReplySink { direct.routing.sink }
    var logger: Logger { direct.routing.logger }

    /// Relays one host request; on return the host has its one answer (or cancelled the request).
    func relay(_ request: HostRequest) async {
        await relayAndAnswer(request)
        if request.method == "initialize" { await session.finishInitialize() }
    }

    @inline(__always)
    private func relayAndAnswer(_ request: HostRequest) async {
        do {
            // The timing record of the answer is the sink's (`RequestMonitor`), whichever path answered.
            try await handle(request)
        } catch let error as BridgeError {
            await sink.fail(request.id, with: error)
            // Only a 2025-era server is told in words; a 2026-07-28 one saw its stream close.
            if error.code == .timedOut, case .legacy = eras.known {
                await cancelUpstream(request.id, reason: "request timed out in mcp-bridge")
            }
        } catch is CancellationError {
            logger.debug("request cancelled by the host", metadata: ["mcp.id": "\(request.id)"])
        } catch {
            await sink.fail(request.id, with: BridgeError(.protocolViolation, "unexpected failure: \(error)"))
        }
    }

    private func handle(_ request: HostRequest, reprobed: Bool = false) async throws {
        if request.modern != nil, eras.mode == .modern { return try await direct.handle(request) }
        // Known after the first request: nothing to decide on the hot path.
        guard let era = eras.known else { return try await handleUndecided(request, reprobed: reprobed) }
        try await handle(request, era: era, reprobed: reprobed)
    }

    func handle(_ request: HostRequest, era: ServerEra, reprobed: Bool) async throws {
        let hostIsModern = request.modern != nil
        do {
            switch (hostIsModern, era) {
            case (true, .modern): try await direct.handle(request)
            case (false, .legacy): try await relayAsWritten(request)
            case (false, .modern(let facts)): try await legacyHost.handle(request, facts: facts)
            case (true, .legacy): try await modernHost.handle(request)
            }
        } catch let lost as SessionNotKept {
            guard !hostIsModern, eras.mode == .auto else { throw lost.error }
            try await leaveSession(for: request, lost)
        } catch let error as BridgeError where Self.suggestsOtherEra(error, modern: era.isModern) {
            // Refused the way only the other era refuses, so the request did not run: ask again, send it again.
            guard !reprobed, eras.mode == .auto else { throw error }
            logger.warning("the server no longer answers like the era it was probed as; asking it again which era it speaks",
                           metadata: ["mcp.era": "\(era.isModern ? "2026-07-28" : "2025")"])
            eras.forget()
            try await handle(request, reprobed: true)
        }
    }

    /// A 2025 host's request relayed as written. What translation would need if the session is lost later (the
    /// host's log level and subscriptions) is noted on the way.
    @inline(__always)
    private func relayAsWritten(_ request: HostRequest) async throws {
        switch request.method {
        case "logging/setLevel", "resources/subscribe", "resources/unsubscribe": legacyHost.remember(request)
        default: break
        }
        try await direct.handle(request)
    }

    /// A failure that hints the server changed era since the probe (redeployed): a modern server refusing a
    /// request the way only a legacy one would, or a legacy one answering with a 2026-07-28 error.
    private static func suggestsOtherEra(_ error: BridgeError, modern: Bool) -> Bool {
        if error.code == .serverChangedEra { return true }
        guard error.code == .httpStatus else { return false }
        let code = error.bodyExcerpt.flatMap { Envelope.number(atPath: ["error", "code"], in: Array($0.utf8)) }
        if modern { return TransportSelector.refusesStreamableHTTP(error) && code != -32601 }
        return code == UnsupportedVersion.code
    }

    /// Server messages that belong to no call of the bridge's (`Inbound`): answers claim their requests, and
    /// notifications and requests reach the host in its era.
    func routeUnattached(_ message: ServerMessage) async {
        let forHost = message.envelope.kind == .request || message.envelope.kind == .notification
        if forHost, eras.hostIsModern == true, eras.known?.isModern == false {
            await modernHost.routeUnattached(message)
        } else {
            await direct.routing.forward(message)
        }
    }

    /// Tells a legacy server to stop working on a request the bridge gave up on (best effort).
    func cancelUpstream(_ id: RequestID, reason: String) async {
        await channel.send(JSONRPCMessage.cancelled(id, reason: reason), what: "notifications/cancelled")
    }

    /// stdin ended: the translators stop waiting for what the host could still have sent.
    func hostClosedInput() {
        modernHost.stop()
        legacyHost.stop()
    }
}
