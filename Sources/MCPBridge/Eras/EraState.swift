import Synchronization

/// The era the server speaks.
enum ServerEra: Sendable {
    /// `initialize`, sessions, server-to-client requests: 2024-11-05 … 2025-11-25.
    case legacy
    /// Stateless 2026-07-28, with what its `server/discover` said.
    case modern(DiscoverFacts)

    var isModern: Bool {
        if case .modern = self { return true }
        return false
    }
}

/// What this process knows of the server's era (`--protocol`), learned once and shared by every relay task.
///
/// `auto` probes `server/discover` when the first host message needs the answer; concurrent callers share that one
/// probe. A verdict is kept for the life of the process (the spec's per-process cache) until `forget` is called
/// because the server later behaved like the other era; then the next message probes again. A probe that could not
/// reach the server is no verdict at all: it fails that message and the next one tries again.
final class EraState: Sendable {
    let mode: ProtocolMode
    typealias Probe = @Sendable () async -> Result<ServerEra, BridgeError>

    private struct State {
        var era: ServerEra?
        var probing: Task<Result<ServerEra, BridgeError>, Never>?
        /// Whether the host speaks 2026-07-28 (its requests carry `_meta` with a protocol version); nil until its
        /// first request. Decides how server messages outside any request reach it.
        var hostIsModern: Bool?
        /// The handshake era's session could not be kept, so the bridge moved to 2026-07-28 for good.
        var leftSession = false
    }

    private let state: Mutex<State>

    init(mode: ProtocolMode, transport: TransportStrategy) {
        self.mode = mode
        // The 2024-11-05 transport exists only in the handshake era: asking the SSE URL for server/discover is moot.
        let legacy = mode == .legacy || (mode == .auto && transport.startsWithSSE)
        state = Mutex(State(era: legacy ? .legacy : nil))
    }

    /// The verdict so far, without probing.
    var known: ServerEra? { state.withLock { $0.era } }

    var hostIsModern: Bool? { state.withLock { $0.hostIsModern } }

    func noteHost(modern: Bool) {
        state.withLock { if $0.hostIsModern == nil { $0.hostIsModern = modern } }
    }

    /// The server's era, probing once if nobody has yet.
    func era(probe: @escaping Probe) async throws(BridgeError) -> ServerEra {
        let task = state.withLock { state -> Task<Result<ServerEra, BridgeError>, Never>? in
            if state.era != nil { return nil }
            if let probing = state.probing { return probing }
            let probing = Task { await probe() }
            state.probing = probing
            return probing
        }
        guard let task else { return state.withLock { $0.era } ?? .legacy }
        let result = await task.value
        state.withLock { state in
            state.probing = nil
            if case .success(let era) = result, state.era == nil { state.era = era }
        }
        return try result.get()
    }

    /// Records what the host's own `initialize` showed (see `EraRouter.relayInitialize`), unless a verdict exists.
    func settle(_ era: ServerEra) {
        state.withLock { if $0.era == nil { $0.era = era } }
    }

    /// True for the first caller only: the one that tears the session down and says so.
    func leaveSession() -> Bool {
        state.withLock { state in
            defer { state.leftSession = true }
            return !state.leftSession
        }
    }

    /// The server no longer behaves like the era on record (e.g. it was redeployed): probe again next time.
    /// A fixed `--protocol legacy` never changes.
    func forget() {
        guard mode != .legacy else { return }
        state.withLock { $0.era = nil }
    }
}
