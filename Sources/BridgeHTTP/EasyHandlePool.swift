import CCurl
import Synchronization

/// Keeps finished libcurl easy handles for the next transfer instead of creating one per request.
///
/// `curl_easy_reset` returns a handle to its defaults (every option, header list and buffer pointer cleared) but
/// keeps its allocation and internal caches, which is cheaper than `curl_easy_cleanup` + `curl_easy_init` on
/// every call. Connections are not affected: they live in the multi handle's pool either way.
package final class EasyHandlePool: Sendable {
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
    /// The cookie jar every handle shares.
    private let cookies: CookieJar

    init(cookies: CookieJar) {
        self.cookies = cookies
    }

    /// A handle with default options and the shared cookie jar: a pooled one, or a new one (nil only when libcurl
    /// is out of memory).
    ///
    /// The cookie engine is switched on once per handle, when it is created: `CURLOPT_COOKIEFILE` appends to a
    /// list that `curl_easy_reset` keeps, so setting it on every reuse grew memory and time per transfer (the
    /// 1,000,000-message soak caught it). The share itself is set again after each reset.
    func take() -> UnsafeMutableRawPointer? {
        let jar = cookies.share
        if let handle = idle.withLock({ $0.popLast() }) {
            ccurl_easy_setopt_pointer(handle.pointer, CURLOPT_SHARE, jar)
            return handle.pointer
        }
        guard let handle = curl_easy_init() else { return nil }
        ccurl_easy_setopt_string(handle, CURLOPT_COOKIEFILE, "")
        ccurl_easy_setopt_pointer(handle, CURLOPT_SHARE, jar)
        return handle
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
