import CCurl
import Synchronization

/// Keeps finished libcurl easy handles for the next transfer instead of creating one per request.
///
/// `curl_easy_reset` returns a handle to its defaults (every option, header list and buffer pointer cleared) but
/// keeps its allocation and internal caches, which is cheaper than `curl_easy_cleanup` + `curl_easy_init` on
/// every call. Connections are not affected: they live in the multi handle's pool either way.
final class EasyHandlePool: Sendable {
    /// A handle that belongs to nobody while it sits in the pool.
    ///
    /// Confinement: `take` hands it to exactly one `Transfer`, which owns it until it gives it back with
    /// `recycle` after the driver removed it from the multi handle; a pooled handle is never used.
    private struct Handle: @unchecked Sendable {
        let pointer: UnsafeMutableRawPointer
    }

    /// More idle handles than this are freed: bounds memory after a burst of requests.
    static let capacity = 64

    private let idle = Mutex<[Handle]>([])

    /// A handle with default options: a pooled one, or a new one (nil only when libcurl is out of memory).
    func take() -> UnsafeMutableRawPointer? {
        if let handle = idle.withLock({ $0.popLast() }) { return handle.pointer }
        return curl_easy_init()
    }

    /// Resets `handle` and keeps it for reuse (or frees it when the pool is full). The handle must no longer be
    /// attached to a multi handle, and the caller must not use it afterwards.
    func recycle(_ handle: UnsafeMutableRawPointer) {
        curl_easy_reset(handle)
        let kept = idle.withLock { idle -> Bool in
            guard idle.count < Self.capacity else { return false }
            idle.append(Handle(pointer: handle))
            return true
        }
        if !kept { curl_easy_cleanup(handle) }
    }

    deinit {
        for handle in idle.withLock({ $0 }) { curl_easy_cleanup(handle.pointer) }
    }
}
