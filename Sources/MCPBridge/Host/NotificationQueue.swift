import Synchronization

/// Host notifications on their way to the server, bounded like requests: sent one at a time, in the order the
/// host wrote them, over the pool's connection; at most `capacity` wait, and past that the stdin pump waits (as it
/// does for requests past the admission bound), so a burst of thousands costs bounded memory and one connection at a
/// time, and none is dropped.
///
/// A `notifications/cancelled` names the relay task of the request it cancels: it is sent only once that task has
/// finished (sent and aborted, or stopped before sending), so it never overtakes the request on the wire.
final class NotificationQueue: Sendable {
    private struct Item {
        var bytes: [UInt8]
        var what: String
        var after: Task<Void, Never>?
    }

    private struct State {
        var items: [Item] = []
        var draining = false
    }

    private let state = Mutex(State())
    private let space: RequestPermits
    private let send: @Sendable ([UInt8], String) async -> Void
    private let work: WorkTracker

    init(capacity: Int, work: WorkTracker, send: @escaping @Sendable ([UInt8], String) async -> Void) {
        space = RequestPermits(limit: capacity)
        self.work = work
        self.send = send
    }

    /// Queues `bytes` (`what` names it in logs), to go after `after` finishes; waits while the queue is full.
    func enqueue(_ bytes: [UInt8], what: String, after: Task<Void, Never>? = nil) async {
        guard await space.acquire() else { return }  // the pump itself is cancelled only at shutdown
        let start = state.withLock { state -> Bool in
            state.items.append(Item(bytes: bytes, what: what, after: after))
            defer { state.draining = true }
            return !state.draining
        }
        if start { work.spawn { [self] in await drain() } }
    }

    /// Sends until the queue is empty; tracked by `WorkTracker`, so shutdown's drain waits for what is queued.
    private func drain() async {
        while let item = next() {
            if let after = item.after { await after.value }
            await send(item.bytes, item.what)
            space.release()
        }
    }

    private func next() -> Item? {
        state.withLock { state in
            guard !state.items.isEmpty else {
                state.draining = false
                return nil
            }
            return state.items.removeFirst()
        }
    }
}
