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
final class CurlDriver: @unchecked Sendable {
    private enum Command {
        case start(Transfer)
        case cancel(Int)
        case resume(Int)
        case shutdown
    }

    private let multi: UnsafeMutableRawPointer
    private let inbox = Mutex<[Command]>([])
    private let nextID = Atomic<Int>(1)
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

    private func submit(_ command: Command) {
        inbox.withLock { $0.append(command) }
        curl_multi_wakeup(multi)
    }

    // MARK: Driver thread

    private func runLoop() {
        while running {
            drainInbox()
            var stillRunning: Int32 = 0
            curl_multi_perform(multi, &stillRunning)
            collectFinished()
            guard running else { break }
            curl_multi_poll(multi, nil, 0, 1000, nil)
        }
        for transfer in active.values {
            curl_multi_remove_handle(multi, transfer.handle)
            transfer.abandon(CancellationError())
        }
        active.removeAll()
    }

    private func drainInbox() {
        let commands = inbox.withLock { inbox in
            defer { inbox.removeAll(keepingCapacity: true) }
            return inbox
        }
        for command in commands {
            switch command {
            case .start(let transfer):
                active[transfer.id] = transfer
                curl_multi_add_handle(multi, transfer.handle)
            case .cancel(let id):
                guard let transfer = active.removeValue(forKey: id) else { continue }
                curl_multi_remove_handle(multi, transfer.handle)
                transfer.abandon(CancellationError())
            case .resume(let id):
                guard let transfer = active[id] else { continue }
                curl_easy_pause(transfer.handle, CURLPAUSE_CONT)
            case .shutdown:
                running = false
            }
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
