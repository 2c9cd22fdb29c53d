import BridgePlatform
import CCurl
import Synchronization

/// A libcurl header list (`CURLOPT_HTTPHEADER`), built once and shared by every transfer that sends the same headers.
///
/// A bridge sends the same few headers on every request (Accept, Content-Type, User-Agent, the session's
/// Mcp-Session-Id and MCP-Protocol-Version, the user's `--header`s), and rebuilding the list per request costs
/// several heap allocations per line (a Swift `String`, its C copy, libcurl's node and copy). The list is immutable once
/// built and libcurl only reads it, so concurrent transfers on the driver thread may share it; each transfer keeps
/// its list alive until it is released.
///
/// Headers that differ on every request (W3C trace context: a fresh `traceparent` per POST) would defeat that, so
/// they are not part of the shared list: a request's own list is its few per-request nodes in front of the shared
/// one (a `curl_slist` is a singly linked list libcurl only walks), and only those nodes are its to free. Measured:
/// rebuilding the whole list for each new `traceparent` cost ~15 % of the bridge's CPU per call on the fast server.
package final class HeaderList: @unchecked Sendable {
    /// Lowercased names of the headers sent with a new value on (nearly) every request.
    package static let perRequestNames: Set<String> = ["traceparent", "tracestate"]

    let headers: [HTTPHeader]
    let pointer: UnsafeMutablePointer<curl_slist>?
    /// For a request's own list: the shared list behind its nodes (kept alive by this reference) and how many nodes
    /// at the front are its own.
    private let shared: HeaderList?
    private let ownNodes: Int

    private init(_ headers: [HTTPHeader]) {
        self.headers = headers
        var list: UnsafeMutablePointer<curl_slist>?
        for header in headers {
            list = Self.line(header).withCString { curl_slist_append(list, $0) }
        }
        // A POST body over 1 KiB would otherwise wait a round trip for "100 Continue".
        pointer = curl_slist_append(list, "Expect:")
        shared = nil
        ownNodes = 0
    }

    private init(_ perRequest: [HTTPHeader], before shared: HeaderList) {
        var head = shared.pointer
        for header in perRequest.reversed() {
            let node = UnsafeMutablePointer<curl_slist>.allocate(capacity: 1)
            node.initialize(to: curl_slist(data: strdup(Self.line(header)), next: head))
            head = node
        }
        headers = perRequest + shared.headers
        pointer = head
        self.shared = shared
        ownNodes = perRequest.count
    }

    deinit {
        guard shared != nil else {
            curl_slist_free_all(pointer)
            return
        }
        var node = pointer
        for _ in 0..<ownNodes {
            guard let current = node else { break }
            node = current.pointee.next
            free(current.pointee.data)
            current.deallocate()
        }
    }

    /// libcurl reads "Name:" as "remove this header"; "Name;" is how an empty value is sent.
    private static func line(_ header: HTTPHeader) -> String {
        header.value.isEmpty ? "\(header.name);" : "\(header.name): \(header.value)"
    }

    /// The most recently built shared list, reused while requests keep sending the same headers.
    final class Cache: Sendable {
        private let last = Mutex<HeaderList?>(nil)

        func list(for headers: [HTTPHeader]) -> HeaderList {
            guard headers.contains(where: { HeaderList.isPerRequest($0) }) else { return shared(headers) }
            let perRequest = headers.filter { HeaderList.isPerRequest($0) }
            return HeaderList(perRequest, before: shared(headers.filter { !HeaderList.isPerRequest($0) }))
        }

        private func shared(_ headers: [HTTPHeader]) -> HeaderList {
            if let cached = last.withLock({ $0 }), cached.headers == headers { return cached }
            let built = HeaderList(headers)
            last.withLock { $0 = built }
            return built
        }
    }

    /// Length and first letter first: most headers are ruled out without lowercasing their name.
    private static func isPerRequest(_ header: HTTPHeader) -> Bool {
        let name = header.name.utf8
        guard name.count == 10 || name.count == 11, (name.first ?? 0) | 0x20 == UInt8(ascii: "t") else { return false }
        return perRequestNames.contains(header.name.lowercased())
    }
}
