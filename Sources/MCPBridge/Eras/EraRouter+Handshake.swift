import BridgeWire
import Logging

/// `--protocol auto` with a 2025 host: never worse than relaying its era as written.
///
/// The host's own `initialize` goes to the server as written while `server/discover` asks, beside it, whether the
/// server also speaks 2026-07-28. A server that answers with an `Mcp-Session-Id` keeps a session, and the host's
/// era then reaches everything the host could reach talking to it directly (server requests mid-call through the
/// legacy API, the GET stream), so it is relayed as written. Translation to 2026-07-28 is kept for what it adds: a
/// dual-era server that keeps no session (2026-07-28 can still ask the host questions through `input_required`), and
/// a server that refuses the handshake era. A session the server cannot keep later (replicas without affinity)
/// moves a dual-era server to 2026-07-28 for the rest of the run.
extension EraRouter {
    func handleUndecided(_ request: HostRequest, reprobed: Bool) async throws {
        if request.modern == nil, eras.mode == .auto {
            if request.method == "initialize" { return try await relayInitialize(request) }
            // What the host's initialize shows decides for the requests piped behind it.
            await session.handshakeSettled()
        }
        let era = if let known = eras.known { known } else { try await eras.era(probe: { await probe.run() }) }
        try await handle(request, era: era, reprobed: reprobed)
    }

    /// The host's `initialize`, relayed as written; its answer and the probe beside it settle the era.
    private func relayInitialize(_ request: HostRequest) async throws {
        legacyHost.host.adopt(initialize: request.bytes)
        async let probed = probe.run()
        var answer: ServerMessage?
        var failure: BridgeError?
        do {
            try await channel.call(request) { message in
                await direct.routing.route(message, of: request) { answer = $0 }
            }
        } catch let error as BridgeError {
            failure = error
        }
        let accepted = answer.map { !$0.envelope.isError } ?? false
        if accepted, let answer, await session.sessionID != nil {
            eras.settle(.legacy)
            logger.debug("the server keeps a session: relaying the host's era as written")
            await sink.answer(request.id, with: answer)
            return
        }
        if let failure, Self.unreachable(failure) { throw failure }  // no verdict: the next message asks again
        switch await probed {
        case .success(.modern(let facts)):
            eras.settle(.modern(facts))
            logger.debug("the server keeps no session and speaks 2026-07-28: translating the host's era")
            // The server's own answer says best what it offers; a server that refused the handshake has none.
            if accepted, let answer { await sink.answer(request.id, with: answer) } else {
                try await legacyHost.handle(request, facts: facts)
            }
        case .success(.legacy):
            eras.settle(.legacy)
            try await deliver(answer, or: failure, to: request)
        case .failure:
            try await deliver(answer, or: failure, to: request)
        }
    }

    private func deliver(_ answer: ServerMessage?, or failure: BridgeError?, to request: HostRequest) async throws {
        guard let answer else {
            throw failure ?? BridgeError(.protocolViolation, "the server's reply held no response to initialize")
        }
        await sink.answer(request.id, with: answer)
    }

    private static func unreachable(_ error: BridgeError) -> Bool {
        switch error.code {
        case .connectFailed, .tls, .shuttingDown: true
        default: false
        }
    }

    /// The server did not know the session even right after it was renewed: if it speaks 2026-07-28, which has no
    /// session to lose, the bridge moves there for good and sends the request (which was not processed) again.
    func leaveSession(for request: HostRequest, _ lost: SessionNotKept) async throws {
        let facts: DiscoverFacts
        if case .modern(let known) = eras.known {
            facts = known
        } else {
            eras.forget()
            guard case .modern(let probed) = try await eras.era(probe: { await probe.run() }) else { throw lost.error }
            facts = probed
        }
        if eras.leaveSession() {
            logger.warning("""
                the server does not keep sessions across requests (HTTP 404 right after re-initializing: replicas \
                without sticky sessions?); it speaks MCP 2026-07-28, which needs none, so mcp-bridge translates to it \
                for the rest of this run
                """)
            await session.abandon()
            stopServerStream()
            if let handshake = await session.cachedHandshake() { legacyHost.host.adopt(initialize: handshake.initialize) }
            legacyHost.hostInitialized(facts)
        }
        try await legacyHost.handle(request, facts: facts)
    }
}
