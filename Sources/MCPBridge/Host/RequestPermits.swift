import Synchronization

/// A counting semaphore for relay tasks whose waiting can be cancelled.
///
/// `--max-in-flight` bounds how many requests are relayed at once; the rest wait in their own tasks, so the stdin
/// pump keeps reading: a host's `notifications/cancelled` for a waiting request is still seen (and ends the wait),
/// and answers to server requests still get through. A second, larger bound on the pump itself keeps a burst of
/// 100,000 lines from becoming 100,000 waiting tasks.
final class RequestPermits: Sendable {
    private struct Waiter {
        var id: Int
        var continuation: CheckedContinuation<Bool, Never>
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextWaiter = 0
    }

    private let state: Mutex<State>

    init(limit: Int) {
        state = Mutex(State(available: max(1, limit)))
    }

    /// Waits for a permit; false when the waiting task was cancelled first (then no permit is held).
    ///
    /// A free permit is taken without a continuation or cancellation handler: with requests in flight that is the
    /// usual case, twice per request (admission, then the relay permit), and the suspension machinery was
    /// measurable per call.
    func acquire() async -> Bool {
        if Task.isCancelled { return false }
        let id = state.withLock { state -> Int? in
            if state.available > 0, state.waiters.isEmpty {
                state.available -= 1
                return nil
            }
            defer { state.nextWaiter += 1 }
            return state.nextWaiter
        }
        guard let id else { return true }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                // Checked under the lock that `onCancel` takes too: a cancellation either happened before (seen
                // here) or finds the waiter appended here; it cannot fall in between and leave the task waiting.
                let outcome = state.withLock { state -> Bool? in
                    if Task.isCancelled { return false }
                    guard state.available > 0 else {
                        state.waiters.append(Waiter(id: id, continuation: continuation))
                        return nil
                    }
                    state.available -= 1
                    return true
                }
                if let outcome { continuation.resume(returning: outcome) }
            }
        } onCancel: {
            let waiter = state.withLock { state -> Waiter? in
                guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
                return state.waiters.remove(at: index)
            }
            waiter?.continuation.resume(returning: false)
        }
    }

    func release() {
        let next = state.withLock { state -> Waiter? in
            guard !state.waiters.isEmpty else {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        next?.continuation.resume(returning: true)
    }
}
