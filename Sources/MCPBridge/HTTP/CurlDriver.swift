import CCurl
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Runs every HTTP transfer of the process on one libcurl multi handle, so connections are pooled and reused.
///
/// Confinement: the multi handle and every started `Transfer` belong to one dedicated pthread (`runLoop`). Other
/// threads never touch them; they append a `Command` to the `Mutex`-guarded inbox and call `curl_multi_wakeup`,
/// which libcurl documents as callable from any thread. Results leave through each transfer's stream continuation.
///
/// The driver is also a `TaskExecutor`: the bridge runs its relay tasks with this thread as their preferred
/// executor, so a task resumed by a transfer's callback runs on the same thread right after `curl_multi_perform`,
/// and a transfer it starts is added without waking anything. Each relayed call used to cross four threads (stdin
/// reader, pool, driver, pool: ~2 context switches per call); now only the stdin reader hands work over.
final class CurlDriver: TaskExecutor, @unchecked Sendable {
    private enum Command {
        case start(Transfer)
        case cancel(Int)
        case resume(Int)
        case run(UnownedJob)
        case shutdown
    }

    private struct Inbox {
        var commands: [Command] = []
        /// The loop has ended: jobs go to the global executor, other commands are moot.
        var stopped = false
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let nextID = Atomic<Int>(1)
    /// `pthread_self()` of the driver thread (0 until it runs): its own submissions need no wake-up.
    private let driverThread = Atomic<UInt>(0)
    private let quickAck = QuickAck()
    private let handles = EasyHandlePool(cookies: CookieJar())
    /// Driver thread only.
    private var active: [Int: Transfer] = [:]
    private var running = true

    /// Process-wide libcurl initialisation: a Swift global is initialised exactly once, thread-safely.
    private static let globalInit: Void = {
        curl_global_init(Int(CURL_GLOBAL_DEFAULT))
    }()

    init() {
        _ = Self.globalInit
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        // Enough idle connections to reuse for 64+ requests in flight without reconnecting.
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 256)
        // The thread keeps the driver alive until `shutdown` ends its loop.
        DetachedThread.start { [self] in self.runLoop() }
    }

    /// Starts a transfer. The stream yields `.head` then `.body` chunks and finishes when the exchange ends;
    /// a consumer that stops iterating early cancels the transfer.
    func start(_ request: HTTPRequest) -> TransferStream {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: TransferEvent.self)
        let id = nextID.add(1, ordering: .relaxed).oldValue
        guard let transfer = Transfer(id: id, request: request, quickAck: quickAck, pool: handles,
                                      continuation: continuation) else {
            continuation.finish(throwing: CurlError(code: CURLE_OUT_OF_MEMORY, message: "curl_easy_init failed", connected: false))
            return TransferStream(events: stream, acknowledge: { _ in })
        }
        continuation.onTermination = { [weak self] termination in
            if case .cancelled = termination { self?.submit(.cancel(id)) }
        }
        submit(.start(transfer))
        let flow = transfer.flow
        return TransferStream(events: stream) { [weak self] count in
            if flow.consumed(count) { self?.submit(.resume(id)) }
        }
    }

    /// Stops the thread after aborting all transfers. Safe to call more than once.
    func shutdown() {
        submit(.shutdown)
    }

    /// Runs `job` on the driver thread (`TaskExecutor`); after shutdown, on the global executor.
    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !submit(.run(job)) { globalConcurrentExecutor.enqueue(job) }
    }

    /// Only the command that finds the inbox empty wakes the driver, and never one from the driver thread (it checks
    /// the inbox before it polls): the driver takes the whole inbox at once, so later commands ride on that wake-up.
    /// Each `curl_multi_wakeup` is a `send(2)` that also wakes the driver thread out of `poll`; with 64 requests in
    /// flight they were ~11 % of the bridge's CPU. Returns false once the loop has ended.
    @discardableResult
    private func submit(_ command: Command) -> Bool {
        let first = inbox.withLock { inbox -> Bool? in
            guard !inbox.stopped else { return nil }
            inbox.commands.append(command)
            return inbox.commands.count == 1
        }
        guard let first else { return false }
        if first, driverThread.load(ordering: .relaxed) != UInt(pthread_self()) {
            curl_multi_wakeup(multi)
        }
        return true
    }

    // MARK: Driver thread

    private func runLoop() {
        driverThread.store(UInt(pthread_self()), ordering: .relaxed)
        while running {
            drainInbox()
            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            quickAck.flushScheduled()
            guard running else { break }
            // Jobs resumed by this round's callbacks (or submitted by jobs) run before the thread sleeps.
            if inbox.withLock({ $0.commands.isEmpty }) { curl_multi_poll(multi, nil, 0, 1000, nil) }
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.handle)
            transfer.abandon(CancellationError())
        }
        active.removeAll()
        // Tasks that still prefer this executor must not starve: their jobs move to the global executor.
        let leftovers = inbox.withLock { inbox in
            inbox.stopped = true
            defer { inbox.commands = [] }
            return inbox.commands
        }
        for case .run(let job) in leftovers { globalConcurrentExecutor.enqueue(job) }
    }

    /// Carries out queued commands until none are left (bounded, so a task that keeps re-enqueueing itself cannot
    /// starve the transfers): a host request goes from its line to its POST within one pass, without extra rounds of
    /// `curl_multi_perform`, each of which polls the connections.
    private func drainInbox() {
        for _ in 0..<Self.drainRounds {
            let commands = inbox.withLock { inbox in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return inbox.commands
            }
            guard !commands.isEmpty else { return }
            commands.forEach(perform)
        }
    }

    private static let drainRounds = 16

    private func perform(_ command: Command) {
        switch command {
        case .start(let transfer):
            active[transfer.id] = transfer
            curl_multi_add_handle(multi, transfer.handle)
        case .cancel(let id):
            guard let transfer = active.removeValue(forKey: id) else { return }
            curl_multi_remove_handle(multi, transfer.handle)
            transfer.abandon(CancellationError())
        case .resume(let id):
            guard let transfer = active[id] else { return }
            curl_easy_pause(transfer.handle, CURLPAUSE_CONT)
        case .run(let job):
            job.runSynchronously(on: asUnownedTaskExecutor())
        case .shutdown:
            running = false
        }
    }

    private func collectFinished() {
        var remaining: Int32 = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard message.pointee.msg == CURLMSG_DONE, let easy = message.pointee.easy_handle else { continue }
            let result = message.pointee.data.result
            var context: UnsafeMutableRawPointer?
            ccurl_easy_getinfo_pointer(easy, CURLINFO_PRIVATE, &context)
            curl_multi_remove_handle(multi, easy)
            guard let context else { continue }
            let transfer = Unmanaged<Transfer>.fromOpaque(context).takeUnretainedValue()
            active.removeValue(forKey: transfer.id)
            transfer.complete(result)
        }
    }
}
