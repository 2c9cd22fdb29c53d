import BridgePlatform
import BridgeRuntime
import CCurl
import Synchronization

/// Runs every HTTP transfer of the process on one libcurl multi handle, so connections are pooled and reused.
///
/// Confinement: the multi handle and every started `Transfer` belong to one dedicated pthread (`runLoop`). Other
/// threads never touch them; they append a `Command` to the `Mutex`-guarded inbox and wake the thread through a
/// pipe. Results leave through each transfer's stream continuation.
///
/// The driver is also a `TaskExecutor`: the bridge runs its relay tasks with this thread as their preferred
/// executor, so a task resumed by a transfer's callback runs on the same thread right after libcurl returns, and a
/// transfer it starts is added without waking anything. It also reads the host's stdin (`watch`), so a relayed call
/// crosses no thread at all between the host's line and the server's answer.
///
/// The loop drives libcurl with `curl_multi_socket_action` over its own `poll(2)` set (libcurl's sockets, the
/// wake-up pipe, watched descriptors) rather than `curl_multi_perform` + `curl_multi_poll`: libcurl then touches
/// only the transfers whose socket is ready, and a hung-up stdin is seen (`curl_multi_poll` reports POLLIN/OUT/PRI
/// only).
package final class CurlDriver: EventLoop, @unchecked Sendable {
    private enum Command {
        case start(Transfer)
        case cancel(Int)
        case resume(Int)
        case run(UnownedJob)
        case watch(Watch)
        case beforeWait(@Sendable () -> Void)
        case shutdown
    }

    private struct Inbox {
        var commands: [Command] = []
        /// The loop has ended: jobs go to the global executor, other commands are moot.
        var stopped = false
    }

    /// A descriptor polled for input next to libcurl's sockets; `onReadable` returns false to stop watching it.
    /// While `isPaused` says so (asked before every `poll`) the descriptor is left unpolled: backpressure.
    struct Watch: Sendable {
        var fd: Int32
        var isPaused: @Sendable () -> Bool
        var onReadable: @Sendable () -> Bool
    }

    let multi: UnsafeMutableRawPointer
    private let inbox = Mutex(Inbox())
    private let nextID = Atomic<Int>(1)
    /// `ThreadIdentity.current` of the driver thread (0 until it runs): its own submissions need no wake-up.
    private let driverThread = Atomic<UInt>(0)
    /// A pipe other threads write a byte to, to end the driver's `poll` (`wakeFD` is its read end, polled).
    let wakeFD: Int32
    private let wakeWriteFD: Int32
    let quickAck = QuickAck()
    private let handles = EasyHandlePool(cookies: CookieJar())
    private let headerLists = HeaderList.Cache()
    /// Driver thread only.
    private var active: [Int: Transfer] = [:]
    var running = true
    /// Driver thread only: libcurl's sockets and the poll events it wants for each (`CURLMOPT_SOCKETFUNCTION`).
    var sockets: [curl_socket_t: Int16] = [:]
    /// Driver thread only: when libcurl wants `CURL_SOCKET_TIMEOUT` handled (`CURLMOPT_TIMERFUNCTION`).
    var timerDeadline: ContinuousClock.Instant?
    /// Driver thread only.
    var watches: [Watch] = []
    /// Driver thread only: the descriptors of the last `poll`, kept for their storage.
    var pollSet: [pollfd] = []
    /// Driver thread only: run before every `poll` (see `beforeEachWait`).
    var waitHooks: [@Sendable () -> Void] = []

    /// Process-wide libcurl initialisation: a Swift global is initialised exactly once, thread-safely. Its result
    /// is kept: after a failure every transfer fails with it rather than with whatever libcurl does uninitialised.
    private static let globalInit: CURLcode = curl_global_init(Int(CURL_GLOBAL_DEFAULT))

    package init() {
        _ = Self.globalInit
        guard let multi = curl_multi_init() else { fatalError("curl_multi_init failed: out of memory") }
        self.multi = multi
        var ends: [Int32] = [-1, -1]
        precondition(pipe(&ends) == 0, "pipe failed: \(errno)")
        for (index, end) in ends.enumerated() {
            // Above the standard descriptors, so a host that closed our stdin never has us poll the pipe as stdin.
            let moved = fcntl(end, F_DUPFD_CLOEXEC, 3)
            precondition(moved >= 0, "fcntl failed: \(errno)")
            close(end)
            _ = fcntl(moved, F_SETFL, fcntl(moved, F_GETFL) | O_NONBLOCK)  // a full pipe already means "wake up"
            ends[index] = moved
        }
        (wakeFD, wakeWriteFD) = (ends[0], ends[1])
        // Enough idle connections to reuse for 64+ requests in flight without reconnecting.
        ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, 256)
        installCallbacks()
        // The thread keeps the driver alive until `shutdown` ends its loop.
        DetachedThread.start { [self] in self.runLoop() }
    }

    /// Only reached when nothing can submit any more (the loop's thread and every stream have let go).
    deinit {
        curl_multi_cleanup(multi)
        close(wakeFD)
        close(wakeWriteFD)
    }

    /// Starts a transfer. The stream yields `.head` then `.body` chunks and finishes when the exchange ends;
    /// a consumer that stops iterating early cancels the transfer.
    package func start(_ request: HTTPRequest) -> TransferStream {
        let id = nextID.add(1, ordering: .relaxed).oldValue
        let channel = TransferChannel { [weak self] in self?.submit(.cancel(id)) }
        let stream = channel.makeStream()
        let transfer: Transfer
        do {
            guard Self.globalInit == CURLE_OK else {
                throw CurlError(code: Self.globalInit, message: "curl_global_init failed", connected: false)
            }
            transfer = try Transfer(id: id, request: request, headers: headerLists.list(for: request.headers),
                                    quickAck: quickAck, pool: handles, continuation: channel)
        } catch {
            channel.finish(throwing: error)
            return TransferStream(events: stream, acknowledge: { _ in })
        }
        submit(.start(transfer))
        let flow = transfer.flow
        return TransferStream(events: stream) { [weak self] count in
            if flow.consumed(count) { self?.submit(.resume(id)) }
        }
    }

    /// Polls `fd` for input on the driver thread and calls `onReadable` there when it is readable or hung up, until
    /// it returns false. The handler may `read(2)` once without blocking (unless another process drains the same
    /// descriptor in between); it must not block otherwise, since every transfer waits while it runs. `isPaused` is
    /// asked before each `poll`: while it is true the descriptor is not read, so a producer that outruns its consumer
    /// waits in the kernel's pipe buffer instead of in memory. It must turn false through work done on this thread
    /// (the driver re-asks only when it wakes for something else).
    package func watch(_ fd: Int32, isPaused: @escaping @Sendable () -> Bool = { false },
               onReadable: @escaping @Sendable () -> Bool) {
        submit(.watch(Watch(fd: fd, isPaused: isPaused, onReadable: onReadable)))
    }

    /// Runs `hook` on the driver thread each time it is about to wait, after the jobs of a round ran: the place to
    /// finish work those jobs batched up (stdout lines, written once per round).
    package func beforeEachWait(_ hook: @escaping @Sendable () -> Void) {
        submit(.beforeWait(hook))
    }

    /// True on the driver thread.
    package var isCurrentThread: Bool {
        driverThread.load(ordering: .relaxed) == ThreadIdentity.current
    }

    /// Stops the thread after aborting all transfers. Safe to call more than once.
    package func shutdown() {
        submit(.shutdown)
    }

    /// Runs `job` on the driver thread (`TaskExecutor`); after shutdown, on the global executor.
    package func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        if !submit(.run(job)) { globalConcurrentExecutor.enqueue(job) }
    }

    /// Only the command that finds the inbox empty wakes the driver, and never one from the driver thread (it checks
    /// the inbox before it polls): the driver takes the whole inbox at once, so later commands ride on that wake-up.
    /// A wake-up per command would cost a `write(2)` and a `poll` return each. Returns false once the loop has ended.
    @discardableResult
    private func submit(_ command: Command) -> Bool {
        let first = inbox.withLock { inbox -> Bool? in
            guard !inbox.stopped else { return nil }
            inbox.commands.append(command)
            return inbox.commands.count == 1
        }
        guard let first else { return false }
        if first, driverThread.load(ordering: .relaxed) != ThreadIdentity.current {
            var byte: UInt8 = 1
            _ = write(wakeWriteFD, &byte, 1)
        }
        return true
    }

    // MARK: Driver thread

    private func runLoop() {
        driverThread.store(ThreadIdentity.current, ordering: .relaxed)
        while running {
            drainInbox()
            guard running else { break }
            // Jobs resumed by libcurl's callbacks (or submitted by jobs) run before the thread sleeps.
            waitAndDispatch { inbox.withLock { $0.commands.isEmpty } }
        }
        waitHooks.forEach { $0() }
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

    /// Carries out queued commands until none are left, in a bounded number of passes (a task that keeps
    /// re-enqueueing itself must not starve the transfers): a host line then reaches its POST within one pass,
    /// without an extra trip through `poll` for the transfer its job started.
    private func drainInbox() {
        for _ in 0..<16 {
            let commands = inbox.withLock { inbox in
                defer { inbox.commands.removeAll(keepingCapacity: true) }
                return inbox.commands
            }
            guard !commands.isEmpty else { return }
            commands.forEach(carryOut)
        }
    }

    private func carryOut(_ command: Command) {
        switch command {
        case .start(let transfer):
            active[transfer.id] = transfer
            // libcurl arms a zero timeout for the new handle; the next `waitAndDispatch` starts it.
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
        case .watch(let watch):
            watches.append(watch)
        case .beforeWait(let hook):
            waitHooks.append(hook)
        case .shutdown:
            running = false
        }
    }

    /// Reports finished transfers; called after every round of `curl_multi_socket_action`.
    func collectFinished() {
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
