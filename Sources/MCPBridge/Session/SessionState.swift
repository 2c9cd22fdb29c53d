import BridgeRuntime
import Synchronization

/// The legacy (2025-03-26 … 2025-11-25) session facts every request must carry, and their renewal after a 404.
///
/// One actor owns them so that a burst of requests that all hit "404 Session not found" triggers exactly one
/// re-initialization; the others wait for it and then retry with the new session.
actor SessionState {
    /// What one request was sent with; `generation` tells a later 404 which session it refers to.
    struct Snapshot: Sendable {
        var sessionID: String?
        var protocolVersion: String?
        var generation: Int
        /// The session was given up for 2026-07-28 (`abandon`): a handshake-era request must not go out without it.
        var abandoned = false
    }

    /// Performs the hidden handshake: POST the host's cached `initialize`, then `notifications/initialized`;
    /// returns the new session id (if the server issued one) and the negotiated protocol version.
    typealias Handshake = @Sendable (_ initialize: [UInt8], _ initialized: [UInt8]?) async throws(BridgeError)
        -> (sessionID: String?, protocolVersion: String?)

    private(set) var sessionID: String?
    private(set) var protocolVersion: String?
    private var generation = 0
    private var abandoned = false
    /// The host's own `initialize`, kept verbatim so it can be replayed if the session expires.
    private var initializeMessage: [UInt8]?
    private var initializedMessage: [UInt8]?
    private var renewal: Task<Result<Void, BridgeError>, Never>?
    /// Set while the host's `initialize` awaits its answer: messages piped right behind it (a script writing all
    /// its lines at once) must wait for the session it creates, as the lifecycle rules require of a client.
    private var initializing = false
    private var initializeWaiters: [CheckedContinuation<Void, Never>] = []

    /// The snapshot every request may use without entering the actor: set exactly while no handshake or renewal
    /// is under way (the only times `snapshot` must wait), so the usual request pays a lock, not an actor hop.
    private nonisolated let published = Mutex<Snapshot?>(Snapshot(sessionID: nil, protocolVersion: nil, generation: 0))
    /// The GET stream listener's wait between attempts, keyed by the generation it waits past (`replaced`).
    private nonisolated let replacements = WaiterTable<Int, Void, Bool>()

    /// The facts to send now; waits while a handshake or renewal is under way so nobody uses a missing or dead
    /// session. The `initialize` request itself passes `forInitialize` and never waits.
    nonisolated func snapshot(forInitialize: Bool = false) async -> Snapshot {
        if let ready = published.withLock({ $0 }) { return ready }
        return await waitForSnapshot(forInitialize: forInitialize)
    }

    private func waitForSnapshot(forInitialize: Bool) async -> Snapshot {
        if !forInitialize {
            while initializing { await withCheckedContinuation { initializeWaiters.append($0) } }
        }
        if let renewal { _ = await renewal.value }
        return current
    }

    private var current: Snapshot {
        Snapshot(sessionID: sessionID, protocolVersion: protocolVersion, generation: generation, abandoned: abandoned)
    }

    /// Returns once no handshake or renewal is under way: the ordering point for messages that must follow the
    /// host's `initialize` (its `notifications/initialized`, anything `http-first` must route after it).
    nonisolated func handshakeSettled() async {
        _ = await snapshot()
    }

    /// Keeps `published` in step with the isolated state; called after every change to it.
    private func republish() {
        let steady = !initializing && renewal == nil
        let snapshot = current
        published.withLock { $0 = steady ? snapshot : nil }
    }

    /// The host sent `initialize`: hold later messages until `finishInitialize`.
    func beginInitialize(_ message: [UInt8]) {
        initializeMessage = message
        initializing = true
        republish()
    }

    /// The host's `initialize` was answered (or failed): release the messages queued behind it.
    func finishInitialize() {
        initializing = false
        republish()
        let waiters = initializeWaiters
        initializeWaiters.removeAll()
        waiters.forEach { $0.resume() }
    }

    func rememberInitialized(_ message: [UInt8]) {
        initializedMessage = message
    }

    /// The host's cached handshake, for re-running it on a new 2024-11-05 SSE session (nil before `initialize`).
    func cachedHandshake() -> (initialize: [UInt8], initialized: [UInt8]?)? {
        initializeMessage.map { ($0, initializedMessage) }
    }

    /// A (re)initialize answered: adopt its session and version for every later request.
    func adopt(sessionID: String?, protocolVersion: String?) {
        self.sessionID = sessionID
        if let protocolVersion { self.protocolVersion = protocolVersion }
        advance()
    }

    /// Waits `delay`, or less when the session of `generation` is replaced meanwhile (true): the GET stream
    /// listener backs off while a session is unreachable, and a renewed session must not wait out that backoff,
    /// since what the server sends on it before the stream opens is lost.
    func replaced(after generation: Int, within delay: Duration) async -> Bool {
        guard generation == self.generation else { return true }
        guard replacements.register(generation, context: ()) else {
            try? await Task.sleep(for: delay)
            return generation != self.generation
        }
        return await replacements.wait(generation, timeout: delay, timedOut: false, cancelled: false)
    }

    private func advance() {
        generation += 1
        republish()
        replacements.resolve(generation - 1, with: true)
    }

    /// The bridge switched to 2026-07-28 (the session could not be kept): later requests carry no session, and a
    /// handshake-era request still on its way is not renewed into a new one.
    func abandon() {
        sessionID = nil
        protocolVersion = nil
        abandoned = true
        advance()
    }

    /// The session named in `expired` is gone (HTTP 404). Renews it once, however many requests report it.
    func renew(expired: Snapshot, handshake: @escaping Handshake) async throws(BridgeError) {
        if expired.generation != generation { return }  // someone already renewed it
        if renewal == nil {
            guard let initializeMessage else {
                throw BridgeError(.sessionExpired, "the server ended the session (HTTP 404) before the host "
                    + "initialized one; restart the MCP connection")
            }
            let initialized = initializedMessage
            renewal = Task { () -> Result<Void, BridgeError> in
                let result: Result<(String?, String?), BridgeError>
                do throws(BridgeError) {
                    result = .success(try await handshake(initializeMessage, initialized))
                } catch {
                    result = .failure(error)
                }
                return self.finishRenewal(result)
            }
            republish()
        }
        guard let renewal else { return }
        let result = await renewal.value
        if case .failure(let error) = result {
            throw BridgeError(.sessionExpired, "the server ended the session (HTTP 404) and re-initializing "
                + "failed: \(error.message)", httpStatus: error.httpStatus)
        }
    }

    private func finishRenewal(_ result: Result<(String?, String?), BridgeError>) -> Result<Void, BridgeError> {
        renewal = nil
        republish()
        return result.map { adopt(sessionID: $0.0, protocolVersion: $0.1) }
    }

}
