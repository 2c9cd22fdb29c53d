import Synchronization

/// The endpoint URL in force, shared by every request; changed only by `RedirectMiddleware`, when a request to it
/// is redirected within its origin (301, 302, 307 or 308).
final class EndpointLocation: Sendable {
    private let url: Mutex<String>

    init(_ url: String) {
        self.url = Mutex(url)
    }

    var current: String { url.withLock { $0 } }

    func move(to newURL: String) {
        url.withLock { $0 = newURL }
    }
}
