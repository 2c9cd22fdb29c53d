import BridgeHTTP
import Logging
import Synchronization

/// The one owner of a server's OAuth state in this process, and the gate every request passes: the current access
/// token (read from the store, refreshed ahead of expiry), and one sign-in or refresh at a time however many
/// requests met a 401 together.
///
/// Across processes the store's lock does the same: the copy that holds it signs in or refreshes, the others wait
/// for it, then re-read the store and use what it saved — one browser flow and one registration for any number of
/// copies, and a rotated refresh token used once.
actor OAuthSession {
    private let login: OAuthLogin
    private let discovery: OAuthDiscovery
    private let store: TokenStore
    private let logger: Logger
    private var tokens: TokenSet? {
        didSet { published.withLock { $0 = tokens } }
    }
    /// `tokens` as last set, readable without a hop onto the actor: the common exchange (a token that is not near
    /// expiry, or none because the server never asked) costs one lock, not an executor switch.
    private let published = Mutex<TokenSet?>(nil)
    private var info: AuthorizationServerInfo?
    private var recovery: Task<TokenSet, any Error>?
    /// A sign-in that just failed (denied, timed out): requests within `failureMemory` get its error instead of
    /// opening the browser again, one page per request.
    private var lastFailure: (error: any Error, at: ContinuousClock.Instant)?
    private static let failureMemory: Duration = .seconds(10)
    /// The server publishes no OAuth metadata: its 401s are relayed as they are from then on (read without a hop
    /// onto the actor by every exchange).
    private let notOfferedFlag = Mutex(false)
    nonisolated var notOffered: Bool { notOfferedFlag.withLock { $0 } }

    init(http: OAuthHTTP, server: ServerURL, options: OAuthOptions, logger: Logger) {
        store = Self.store(for: server, options: options)
        login = OAuthLogin(http: http, server: server, options: options, store: store, logger: logger)
        discovery = OAuthDiscovery(http: http, server: server)
        self.logger = logger
        let stored = store.read("tokens.json").flatMap(TokenSet.init(stored:))
        tokens = stored
        published.withLock { $0 = stored }
    }

    /// One directory per server URL and resource indicator (two tenants of one server sign in apart).
    static func store(for server: ServerURL, options: OAuthOptions) -> TokenStore {
        TokenStore(root: options.storeRoot, server: server.absoluteString + "|" + (options.resource ?? ""))
    }

    /// The token to send without waiting, or nil when it must be refreshed first (`bearer`).
    nonisolated func readyBearer() -> (token: String?, ready: Bool) {
        published.withLock { tokens in
            guard let tokens else { return (nil, true) }
            return tokens.isExpiring ? (nil, false) : (tokens.accessToken, true)
        }
    }

    /// The token to send, if this server has one: refreshed first when it is about to expire.
    func bearer() async -> String? {
        guard let current = tokens else { return nil }
        guard current.isExpiring else { return current.accessToken }
        return (try? await recover(after: current.accessToken, challenge: nil, expiring: true)) ?? current.accessToken
    }

    /// The server refused `failed` (a 401, or the token expired): a refreshed or new token, shared by every caller
    /// that comes with the same refused token.
    func recover(after failed: String?, challenge: AuthChallenge?, expiring: Bool = false) async throws -> String {
        if let current = tokens, current.accessToken != failed, !current.isExpiring { return current.accessToken }
        if challenge?.error == "insufficient_scope", let granted = tokens?.scope, let wanted = challenge?.scope,
           Set(wanted.split(separator: " ")).isSubset(of: granted.split(separator: " ")) {
            throw BridgeError(.unauthorized, "the server refuses this request for insufficient scope although the "
                + "token already has \(wanted); ask the server's operator which scope it needs")
        }
        if let recovery { return try await recovery.value.accessToken }
        if let lastFailure, ContinuousClock.now - lastFailure.at < Self.failureMemory { throw lastFailure.error }
        if notOffered { throw OAuthNotOffered() }
        let task = Task { try await self.renew(after: failed, challenge: challenge) }
        recovery = task
        defer { recovery = nil }
        do {
            let renewed = try await task.value
            tokens = renewed
            lastFailure = nil
            return renewed.accessToken
        } catch let error as OAuthNotOffered {
            notOfferedFlag.withLock { $0 = true }
            throw error
        } catch {
            lastFailure = (error, ContinuousClock.now)
            throw error
        }
    }

    private func renew(after failed: String?, challenge: AuthChallenge?) async throws -> TokenSet {
        let info = try await serverInfo(challenge)
        let (store, login, logger) = (self.store, self.login, self.logger)
        // Another copy's sign-in takes at most its --auth-timeout; waiting a little longer than that is enough.
        return try await store.withLock(patience: login.options.timeout + .seconds(30)) {
            // Another copy may have signed in or refreshed while this one waited for the lock.
            let saved = store.read("tokens.json").flatMap(TokenSet.init(stored:))
            if let saved, saved.accessToken != failed, !saved.isExpiring { return saved }
            if let saved, saved.issuer == info.issuer, challenge?.error != "insufficient_scope",
               let refreshed = try await login.refresh(saved, info) {
                try store.write("tokens.json", refreshed.stored)
                logger.debug("OAuth token refreshed")
                return refreshed
            }
            let signedIn = try await login.login(info, challenge: challenge, granted: saved?.scope)
            try store.write("tokens.json", signedIn.stored)
            try store.write("server", Array((login.server.absoluteString + "\n").utf8))
            logger.info("signed in to \(info.issuer)")
            return signedIn
        }
    }

    private func serverInfo(_ challenge: AuthChallenge?) async throws -> AuthorizationServerInfo {
        if let info, challenge?.resourceMetadata == nil { return info }
        let found = try await discovery.discover(challenge)
        info = found
        return found
    }
}
