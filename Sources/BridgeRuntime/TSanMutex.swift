#if MCP_BRIDGE_TSAN
    import BridgePlatform

    /// ThreadSanitizer builds only (`make sanitize` passes `-Xswiftc -DMCP_BRIDGE_TSAN`); other builds use
    /// `Synchronization.Mutex` and never compile this.
    ///
    /// On Linux `Synchronization.Mutex` locks with futex system calls made inside the uninstrumented standard
    /// library, so ThreadSanitizer sees no happens-before edge and reports every access the mutex guards as a
    /// "Swift access race" (reproduced with four threads appending to a `Mutex<[Int]>`). This stand-in has the same
    /// `init` and `withLock` but locks a `pthread_mutex_t`, which TSan intercepts; declared in this module, it shadows
    /// the imported type, so the sources stay unchanged. A type shadows only within its own module, so every module
    /// that locks compiles this one file: BridgeHTTP, MCPBridge and the tests link to it (symbolic links).
    final class Mutex<Value>: @unchecked Sendable {
        /// The value and one byte more: a zero-sized value (`Mutex(())`) would otherwise share its address with
        /// the next field, and TSan would take the lock's own read for a race with the guarded access.
        private struct Storage {
            var value: Value
            var padding: UInt8 = 0
        }

        private let lock: UnsafeMutablePointer<pthread_mutex_t>
        private var storage: Storage

        init(_ initialValue: consuming sending Value) {
            storage = Storage(value: initialValue)
            lock = .allocate(capacity: 1)
            lock.initialize(to: pthread_mutex_t())
            pthread_mutex_init(lock, nil)
        }

        deinit {
            pthread_mutex_destroy(lock)
            lock.deallocate()
        }

        func withLock<Result, E: Error>(
            _ body: (inout sending Value) throws(E) -> sending Result
        ) throws(E) -> sending Result {
            pthread_mutex_lock(lock)
            defer { pthread_mutex_unlock(lock) }
            return try body(&storage.value)
        }
    }
#endif
