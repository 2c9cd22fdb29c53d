import Synchronization

/// One-shot meeting points keyed by an id: one side `resolve`s a key, the other `wait`s for it, in either order.
///
/// Why it exists: over the 2024-11-05 SSE transport the answer to a POSTed request arrives on another HTTP exchange
/// (the GET stream), and it may arrive before the POST's own `202` has been read. So a key is registered before the
/// message is sent, a value that comes first is kept until someone waits, and the first `resolve` wins (an answer,
/// a dropped stream, a timeout and a cancellation may race; exactly one of them decides).
/// A `Mutex` rather than an actor: every operation is a short dictionary update, called from many tasks.
package final class WaiterTable<Key: Hashable & Sendable, Context: Sendable, Value: Sendable>: Sendable {
    private struct Entry {
        var context: Context
        var value: Value?
        var continuation: CheckedContinuation<Value, Never>?
    }

    private let entries = Mutex<[Key: Entry]>([:])

    package init() {}

    /// Opens `key`; false when it is already open (the caller must not wait on someone else's entry).
    package func register(_ key: Key, context: Context) -> Bool {
        entries.withLock { entries in
            guard entries[key] == nil else { return false }
            entries[key] = Entry(context: context)
            return true
        }
    }

    /// What `key` was registered with, while it is open and undecided.
    package func context(of key: Key) -> Context? {
        entries.withLock { entries in entries[key].flatMap { $0.value == nil ? $0.context : nil } }
    }

    /// Forgets `key` without deciding it (the message was never sent).
    package func remove(_ key: Key) {
        entries.withLock { _ = $0.removeValue(forKey: key) }
    }

    /// Decides `key`; true when this call decided it (it was open and undecided).
    @discardableResult
    package func resolve(_ key: Key, with value: Value) -> Bool {
        let (decided, waiter) = entries.withLock { entries -> (Bool, CheckedContinuation<Value, Never>?) in
            guard var entry = entries[key], entry.value == nil else { return (false, nil) }
            if let continuation = entry.continuation {
                entries[key] = nil
                return (true, continuation)
            }
            entry.value = value
            entries[key] = entry
            return (true, nil)
        }
        waiter?.resume(returning: value)
        return decided
    }

    /// Decides every open key whose context matches, e.g. all answers owed on a stream that just dropped.
    package func resolveAll(where matches: (Context) -> Bool, with value: Value) {
        let keys = entries.withLock { entries in
            entries.compactMap { key, entry in entry.value == nil && matches(entry.context) ? key : nil }
        }
        for key in keys { resolve(key, with: value) }
    }

    /// Waits until `key` is decided and closes it. After `timeout` it is decided as `timedOut`; when the waiting
    /// task is cancelled, as `cancelled` (a key nobody registered also returns `cancelled`).
    package func wait(_ key: Key, timeout: Duration?, timedOut: Value, cancelled: Value) async -> Value {
        let timer = timeout.map { limit in
            Task { [self] in
                try? await Task.sleep(for: limit)
                if !Task.isCancelled { resolve(key, with: timedOut) }
            }
        }
        defer { timer?.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                let ready = entries.withLock { entries -> Value? in
                    guard var entry = entries[key] else { return cancelled }
                    if let value = entry.value {
                        entries[key] = nil
                        return value
                    }
                    entry.continuation = continuation
                    entries[key] = entry
                    return nil
                }
                if let ready { continuation.resume(returning: ready) }
            }
        } onCancel: {
            resolve(key, with: cancelled)
        }
    }
}
