import BridgeWire
import Logging
import Synchronization

/// Which transport this process speaks to the server: decided once, following `--transport`, then shared by every
/// relay task.
///
/// `http-first` and `http-only` start on Streamable HTTP, so their hot path is one lock and no suspension; `http-first`
/// switches when the host's `initialize` is refused in the way the spec's backwards-compatibility procedure names.
/// `sse-first` and `sse-only` open the 2024-11-05 stream when the first host message needs it; `sse-first` settles on
/// Streamable HTTP when the server answers the GET without an `endpoint` event. A switch happens at most once:
/// after it, the process keeps the transport it found (the host's session lives there).
final class TransportSelector: ServerChannel {
    private enum Choice: Sendable {
        case streamableHTTP
        case legacySSE(LegacySSEChannel)
    }

    /// 2026-07-28 errors a modern server answers with 400; they prove the server speaks Streamable HTTP.
    static let modernErrorCodes: Set<Int> = [-32020, -32021, -32022]

    let strategy: TransportStrategy
    let streamable: SessionChannel
    private let makeLegacy: @Sendable () -> LegacySSEChannel
    private let logger: Logger

    private struct State {
        var choice: Choice?
        var opening: Task<Result<LegacySSEChannel, BridgeError>, Never>?
        /// False while `http-first` may still switch: until an `initialize` succeeded over Streamable HTTP.
        var settled: Bool
    }

    private let state: Mutex<State>

    init(strategy: TransportStrategy, streamable: SessionChannel,
         makeLegacy: @escaping @Sendable () -> LegacySSEChannel, logger: Logger) {
        self.strategy = strategy
        self.streamable = streamable
        self.makeLegacy = makeLegacy
        self.logger = logger
        state = Mutex(State(choice: strategy.startsWithSSE ? nil : .streamableHTTP, settled: strategy != .httpFirst))
    }

    /// With `http-first`, an `initialize` that Streamable HTTP refuses (400, 404, 405, and not a modern error) is
    /// re-sent over the SSE transport, which this process then keeps for good (the spec's backwards-compatibility
    /// procedure).
    func call(_ request: HostRequest, onMessage: ReplyHandler) async throws {
        let isInitialize = request.method == "initialize"
        if let legacy = try await legacy(isInitialize: isInitialize) {
            return try await legacy.call(request, onMessage: onMessage)
        }
        do {
            try await streamable.call(request, onMessage: onMessage)
            if isInitialize { state.withLock { $0.settled = true } }
        } catch let error as BridgeError where isInitialize && Self.refusesStreamableHTTP(error) {
            try await fallBack(request, after: error, onMessage: onMessage)
        }
    }

    func send(_ message: [UInt8], what: String) async -> Int? {
        do {
            if let legacy = try await legacy() { return await legacy.send(message, what: what) }
        } catch {
            logger.warning("could not deliver a message to the server", metadata: [
                "mcp.message": "\(what)", "error": "\(error)",
            ])
            return nil
        }
        return await streamable.send(message, what: what)
    }

    func batch(_ message: [UInt8], ids: [RequestID]) async -> [(RequestID, BridgeError)] {
        do {
            if let legacy = try await legacy() { return await legacy.batch(message, ids: ids) }
        } catch {
            let failure = error as? BridgeError ?? .connectFailed("\(error)")
            return ids.map { ($0, failure) }
        }
        return await streamable.batch(message, ids: ids)
    }

    /// Stops the SSE stream, if any (shutdown).
    func stop() {
        let legacy = state.withLock { state -> LegacySSEChannel? in
            if case .legacySSE(let channel) = state.choice { return channel }
            return nil
        }
        legacy?.transport.stop()
    }

    /// The 2024-11-05 transport when this process uses it, nil for Streamable HTTP. With `sse-first`/`sse-only` the
    /// first caller opens the stream (the others wait for the same attempt); a failure that leaves the choice open
    /// (unreachable server, `sse-only`) is thrown, and the next message tries again.
    /// Messages other than `initialize` sent while `http-first` may still switch wait for the host's `initialize`
    /// to be answered first: it decides where they go.
    private func legacy(isInitialize: Bool = false) async throws -> LegacySSEChannel? {
        var (choice, settled) = state.withLock { ($0.choice, $0.settled) }
        if !isInitialize, !settled {
            await streamable.session.handshakeSettled()
            choice = state.withLock { $0.choice }
        }
        switch choice {
        case .streamableHTTP: return nil
        case .legacySSE(let channel): return channel
        case nil: break
        }
        switch await open() {
        case .success(let channel):
            return channel
        case .failure(let error) where strategy == .sseFirst && Self.serverAnswered(error):
            logger.debug("no 2024-11-05 SSE endpoint here; using Streamable HTTP",
                         metadata: ["error": "\(error.description)"])
            state.withLock { state in if state.choice == nil { state.choice = .streamableHTTP } }
            return nil
        case .failure(let error):
            throw error
        }
    }

    private func fallBack(_ request: HostRequest, after error: BridgeError, onMessage: ReplyHandler) async throws {
        switch strategy {
        case .httpFirst:
            logger.debug("the server refused Streamable HTTP; trying the 2024-11-05 HTTP+SSE transport",
                         metadata: ["http.status": "\(error.httpStatus ?? 0)"])
            let opened: Result<LegacySSEChannel, BridgeError>
            if case .legacySSE(let channel) = state.withLock({ $0.choice }) { opened = .success(channel) } else {
                opened = await open()
            }
            switch opened {
            case .success(let legacy):
                try await legacy.call(request, onMessage: onMessage)
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

    /// Opens the stream once for all concurrent callers; on success the process uses it from then on.
    private func open() async -> Result<LegacySSEChannel, BridgeError> {
        let task = state.withLock { state in
            if let opening = state.opening { return opening }
            let opening = Task { [makeLegacy] in await makeLegacy().start() }
            state.opening = opening
            return opening
        }
        let result = await task.value
        state.withLock { state in
            state.opening = nil
            if case .success(let channel) = result, state.choice == nil || strategy == .httpFirst {
                state.choice = .legacySSE(channel)
                state.settled = true
            }
        }
        if case .success = result {
            logger.debug("using the 2024-11-05 HTTP+SSE transport")
        }
        return result
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

    /// The server answered the GET (with an error, or without an `endpoint` event), as opposed to being unreachable
    /// or pointing the bridge elsewhere: what lets `sse-first` conclude the server speaks Streamable HTTP instead.
    private static func serverAnswered(_ error: BridgeError) -> Bool {
        switch error.code {
        case .connectFailed, .tls, .shuttingDown: false
        default: error.httpStatus != nil
        }
    }
}
