import Logging
import BridgeWire
import BridgeRuntime

/// Choosing between Streamable HTTP and the 2024-11-05 HTTP+SSE transport, and keeping an SSE session usable.
extension Relay {
    /// 2026-07-28 errors a modern server answers with 400; they prove the server speaks Streamable HTTP.
    static let modernErrorCodes: Set<Int> = [-32020, -32021, -32022]

    /// Relays one request over the transport `--transport` selected. With `http-first`, an `initialize` that
    /// Streamable HTTP refuses (400, 404, 405, and not a modern error) is re-sent over the SSE transport, which
    /// this process then keeps for good (the spec's backwards-compatibility procedure).
    func exchangeOverSelectedTransport(_ request: HostRequest) async throws {
        let isInitialize = request.method == "initialize"
        if let legacy = try await transports.legacy(for: self, isInitialize: isInitialize) {
            return try await exchangeOverSSE(request, on: legacy)
        }
        do {
            try await exchangeWithRetries(request)
            if isInitialize { transports.settle() }
        } catch let error as BridgeError where request.method == "initialize" && Self.refusesStreamableHTTP(error) {
            try await fallBackToSSE(request, after: error)
        }
    }

    private func fallBackToSSE(_ request: HostRequest, after error: BridgeError) async throws {
        switch transports.strategy {
        case .httpFirst:
            logger.debug("the server refused Streamable HTTP; trying the 2024-11-05 HTTP+SSE transport",
                         metadata: ["http.status": "\(error.httpStatus ?? 0)"])
            switch await transports.fallBack(self) {
            case .success(let legacy):
                try await exchangeOverSSE(request, on: legacy)
            case .failure(let failure):
                throw BridgeError(error.code, error.message + "; falling back to the 2024-11-05 HTTP+SSE transport "
                    + "failed too: " + failure.message, httpStatus: error.httpStatus,
                    body: error.bodyExcerpt.map { Array($0.utf8) })
            }
        case .httpOnly:
            throw BridgeError(error.code, error.message + "; if this is a 2024-11-05 HTTP+SSE server (e.g. a URL "
                + "ending in /sse), use --transport http-first or sse-only", httpStatus: error.httpStatus,
                body: error.bodyExcerpt.map { Array($0.utf8) })
        case .sseFirst, .sseOnly:
            throw error
        }
    }

    /// The refusal the spec's backwards-compatibility procedure names (a 4xx to POST `initialize`), narrowed to
    /// the statuses legacy servers give (405 from a GET-only route, 404, 400 "missing sessionId"), excluding a
    /// 2026-07-28 server's own errors.
    static func refusesStreamableHTTP(_ error: BridgeError) -> Bool {
        guard error.code == .httpStatus, let status = error.httpStatus, [400, 404, 405].contains(status) else {
            return false
        }
        guard let body = error.bodyExcerpt.map({ Array($0.utf8) }),
              let code = Envelope.number(atPath: ["error", "code"], in: body) else { return true }
        return !modernErrorCodes.contains(code)
    }

    /// A reconnected stream named a new session that has never seen `initialize` (mcp-remote #269): replay the
    /// host's `initialize` (under a private id, so its answer never reaches stdout) and `notifications/initialized`.
    /// Skipped while the host has not completed its own handshake: then its own `initialize` is still to come.
    func renewLegacySession(_ connection: LegacySSETransport.Connection) async throws(BridgeError) {
        guard let version = await session.protocolVersion, let cached = await session.cachedHandshake() else { return }
        let id = RequestID.string("mcp-bridge-reinitialize-\(connection.generation)")
        guard let initialize = MessageSplice.replacingID(in: cached.initialize, with: id) else {
            throw BridgeError(.sessionExpired, "the host's initialize could not be replayed")
        }
        let snapshot = SessionState.Snapshot(sessionID: nil, protocolVersion: version, generation: -1)
        let answers = transports.answers
        _ = answers.register(id, context: .init(request: nil, generation: connection.generation, forHost: false))
        let status: Int
        do {
            status = try await postToLegacy(initialize, what: "initialize (replayed)", to: connection,
                                            snapshot: snapshot)
        } catch {
            answers.remove(id)
            throw BridgeError(.sessionExpired, "replaying initialize on the new SSE session failed: \(error)")
        }
        guard (200..<300).contains(status) else {
            answers.remove(id)
            throw BridgeError(.sessionExpired, "the new SSE session refused the replayed initialize",
                              httpStatus: status)
        }
        let outcome = await answers.wait(id, timeout: .seconds(30), timedOut: .timedOut, cancelled: .cancelled)
        guard case .answered(let reply) = outcome, reply.envelope.kind == .response, !reply.envelope.isError else {
            throw BridgeError(.sessionExpired, "the new SSE session did not accept the replayed initialize")
        }
        let negotiated = reply.envelope.result.flatMap {
            Envelope.string(atPath: ["protocolVersion"], in: reply.bytes, root: $0)
        }
        await session.adopt(sessionID: nil, protocolVersion: negotiated)
        if let initialized = cached.initialized {
            _ = try? await postToLegacy(initialized, what: "notifications/initialized (replayed)", to: connection,
                                        snapshot: SessionState.Snapshot(sessionID: nil, protocolVersion: negotiated,
                                                                        generation: -1))
        }
        logger.debug("SSE session re-established", metadata: ["sse.generation": "\(connection.generation)"])
    }
}
