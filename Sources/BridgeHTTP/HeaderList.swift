import CCurl
import Synchronization

/// A libcurl header list (`CURLOPT_HTTPHEADER`), built once and shared by every transfer that sends the same headers.
///
/// A bridge sends the same few headers on every request (Accept, Content-Type, User-Agent, the session's
/// Mcp-Session-Id and MCP-Protocol-Version, the user's `--header`s), and rebuilding the list per request costs
/// several heap allocations per line (a Swift `String`, its C copy, libcurl's node and copy). The list is immutable once
/// built and libcurl only reads it, so concurrent transfers on the driver thread may share it; each transfer keeps
/// its list alive until it is released.
package final class HeaderList: @unchecked Sendable {
    let headers: [HTTPHeader]
    let pointer: UnsafeMutablePointer<curl_slist>?

    private init(_ headers: [HTTPHeader]) {
        self.headers = headers
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            // libcurl reads "Name:" as "remove this header"; "Name;" is how an empty value is sent.
            let line = header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
            list = line.withCString { curl_slist_append(list, $0) }
        }
        // A POST body over 1 KiB would otherwise wait a round trip for "100 Continue".
        pointer = curl_slist_append(list, "Expect:")
    }

    deinit {
        curl_slist_free_all(pointer)
    }

    /// The most recently built list, reused while requests keep sending the same headers.
    final class Cache: Sendable {
        private let last = Mutex<HeaderList?>(nil)

        func list(for headers: [HTTPHeader]) -> HeaderList {
            if let cached = last.withLock({ $0 }), cached.headers == headers { return cached }
            let built = HeaderList(headers)
            last.withLock { $0 = built }
            return built
        }
    }
}
