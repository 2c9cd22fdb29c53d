import Synchronization

/// Counts relay tasks still running so shutdown can wait for them (bounded) before exiting.
final class WorkTracker: Sendable {
    private struct State {
        var running = 0
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())
    /// Where the tasks prefer to run (the HTTP driver's thread, see `CurlDriver`); nil: the global executor.
    private let executor: (any TaskExecutor)?

    init(executor: (any TaskExecutor)? = nil) {
        self.executor = executor
    }

    /// Runs `work` as a new task that shutdown will wait for.
    @discardableResult
    func spawn(_ work: @escaping @Sendable () async -> Void) -> Task<Void, Never> {
        state.withLock { $0.running += 1 }
        return Task(executorPreference: executor) {
            await work()
            self.finished()
        }
    }

    private func finished() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.running -= 1
            guard state.running == 0 else { return [] }
            defer { state.idleWaiters.removeAll() }
            return state.idleWaiters
        }
        waiters.forEach { $0.resume() }
    }

    /// Returns once no tracked task is running.
    func waitIdle() async {
        await withCheckedContinuation { continuation in
            let idle = state.withLock { state -> Bool in
                if state.running == 0 { return true }
                state.idleWaiters.append(continuation)
                return false
            }
            if idle { continuation.resume() }
        }
    }
}
