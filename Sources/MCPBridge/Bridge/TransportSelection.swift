import Logging
import Synchronization
import BridgeRuntime
import BridgeWire

/// Which transport this process speaks to the server: decided once, following `--transport`, then shared by every
/// relay task.
///
/// `http-first` and `http-only` start on Streamable HTTP, so their hot path is one lock and no suspension; `http-first`
/// switches when the host's `initialize` is refused in the way the spec's backwards-compatibility procedure names.
/// `sse-first` and `sse-only` open the 2024-11-05 stream when the first host message needs it; `sse-first` settles on
/// Streamable HTTP when the server answers the GET without an `endpoint` event. A switch happens at most once:
/// after it, the process keeps the transport it found (the host's session lives there).
final class TransportSelection: Sendable {
    enum Choice: Sendable {
        case streamableHTTP
        case legacySSE(LegacySSETransport)
    }

    /// An answer owed on the stream; `generation` is the SSE session the request was POSTed to.
    struct PendingAnswer: Sendable {
        /// The host request it answers (nil inside a batch: the answer is still the host's, just not adapted).
        var request: HostRequest?
        var generation: Int
        /// False for the bridge's own replayed `initialize`: its answer must never reach stdout.
        var forHost = true
    }

    enum AnswerOutcome: Sendable {
        case answered(ServerMessage)
        /// The stream the answer was owed on ended first.
        case dropped
        case timedOut
        case cancelled
    }

    let strategy: TransportStrategy
    /// Answers owed over the SSE stream, resolved by whoever reads them (see `Relay.deliverFromLegacyStream`).
    let answers = WaiterTable<RequestID, PendingAnswer, AnswerOutcome>()

    private struct State {
        var choice: Choice?
        var opening: Task<Result<LegacySSETransport, BridgeError>, Never>?
        /// False while `http-first` may still switch: until an `initialize` succeeded over Streamable HTTP.
        var settled: Bool
    }

    private let state: Mutex<State>

    init(strategy: TransportStrategy) {
        self.strategy = strategy
        state = Mutex(State(choice: strategy.startsWithSSE ? nil : .streamableHTTP, settled: strategy != .httpFirst))
    }

    /// The 2024-11-05 transport when this process uses it, nil for Streamable HTTP. With `sse-first`/`sse-only` the
    /// first caller opens the stream (the others wait for the same attempt); a failure that leaves the choice open
    /// (unreachable server, `sse-only`) is thrown, and the next message tries again.
    /// Messages other than `initialize` (`isInitialize` false) sent while `http-first` may still switch wait for the
    /// host's `initialize` to be answered first: it decides where they go.
    func legacy(for relay: Relay, isInitialize: Bool = false) async throws -> LegacySSETransport? {
        var (choice, settled) = state.withLock { ($0.choice, $0.settled) }
        if !isInitialize, !settled {
            _ = await relay.session.snapshot()
            choice = state.withLock { $0.choice }
        }
        switch choice {
        case .streamableHTTP: return nil
        case .legacySSE(let transport): return transport
        case nil: break
        }
        switch await open(relay) {
        case .success(let transport):
            return transport
        case .failure(let error) where strategy == .sseFirst && Self.serverAnswered(error):
            relay.logger.debug("no 2024-11-05 SSE endpoint here; using Streamable HTTP",
                               metadata: ["error": "\(error.description)"])
            state.withLock { state in if state.choice == nil { state.choice = .streamableHTTP } }
            return nil
        case .failure(let error):
            throw error
        }
    }

    /// `http-first`: an `initialize` succeeded over Streamable HTTP, so the process stays there.
    func settle() {
        state.withLock { $0.settled = true }
    }

    /// `http-first` after Streamable HTTP refused `initialize`: try the 2024-11-05 transport once.
    func fallBack(_ relay: Relay) async -> Result<LegacySSETransport, BridgeError> {
        if case .legacySSE(let transport) = state.withLock({ $0.choice }) { return .success(transport) }
        return await open(relay)
    }

    /// Stops the SSE stream, if any (shutdown).
    func stop() {
        let transport = state.withLock { state -> LegacySSETransport? in
            if case .legacySSE(let transport) = state.choice { return transport }
            return nil
        }
        transport?.stop()
    }

    /// Opens the stream once for all concurrent callers; on success the process uses it from then on.
    private func open(_ relay: Relay) async -> Result<LegacySSETransport, BridgeError> {
        let task = state.withLock { state in
            if let opening = state.opening { return opening }
            let opening = Task {
                let transport = LegacySSETransport(endpoint: relay.endpoint, logger: relay.logger)
                return await transport.start(relay.legacyDelegate()).map { _ in transport }
            }
            state.opening = opening
            return opening
        }
        let result = await task.value
        state.withLock { state in
            state.opening = nil
            if case .success(let transport) = result, state.choice == nil || strategy == .httpFirst {
                state.choice = .legacySSE(transport)
                state.settled = true
            }
        }
        if case .success = result {
            relay.logger.debug("using the 2024-11-05 HTTP+SSE transport")
        }
        return result
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
