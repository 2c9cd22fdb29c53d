import BridgePlatform
import CCurl

/// One in-memory cookie jar shared by every transfer, so a load balancer's stickiness cookie (AWS ALB's AWSALB,
/// for instance) keeps a stateful server's session on the replica that holds it.
///
/// Handles are attached to the share from whichever thread takes them from the pool and used on the driver
/// thread, so the share gets lock callbacks around one recursive mutex, as libcurl requires for a share used
/// from several threads.
package final class CookieJar: @unchecked Sendable {
    let share: UnsafeMutableRawPointer
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>

    init() {
        guard let share = curl_share_init() else { fatalError("curl_share_init failed: out of memory") }
        self.share = share
        mutex = .allocate(capacity: 1)
        var attributes = pthread_mutexattr_t()
        pthread_mutexattr_init(&attributes)
        pthread_mutexattr_settype(&attributes, Int32(PTHREAD_MUTEX_RECURSIVE))
        pthread_mutex_init(mutex, &attributes)
        pthread_mutexattr_destroy(&attributes)
        ccurl_share_setopt_pointer(share, CURLSHOPT_USERDATA, mutex)
        ccurl_share_setopt_lock(share) { _, _, _, user in
            guard let user else { return }
            pthread_mutex_lock(user.assumingMemoryBound(to: pthread_mutex_t.self))
        }
        ccurl_share_setopt_unlock(share) { _, _, user in
            guard let user else { return }
            pthread_mutex_unlock(user.assumingMemoryBound(to: pthread_mutex_t.self))
        }
        ccurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_COOKIE.rawValue))
    }
}
