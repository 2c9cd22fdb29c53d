import Synchronization

/// One long-running task that can be replaced (cancelling the previous one) or stopped.
package final class TaskSlot: Sendable {
    private let task = Mutex<Task<Void, Never>?>(nil)

    package init() {}

    package func replace(with body: @escaping @Sendable () async -> Void) {
        let new = Task { await body() }
        task.withLock { task in
            task?.cancel()
            task = new
        }
    }

    package func stop() {
        task.withLock { task in
            task?.cancel()
            task = nil
        }
    }
}
