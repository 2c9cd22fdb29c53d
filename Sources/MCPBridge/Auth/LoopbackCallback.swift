import BridgePlatform
import BridgeRuntime

/// The redirect target of the authorization code flow: a listener on 127.0.0.1 that takes the browser's one
/// `GET /oauth/callback?code=…&state=…` and answers it with a page telling the user to go back to their app.
///
/// It binds before the browser opens (a busy port is an error the user can act on: another callback port), accepts
/// on a thread of its own, and ignores every other path (browsers also ask for `/favicon.ico`).
final class LoopbackCallback: Sendable {
    let port: Int
    private let socket: Int32
    private let results: AsyncStream<[String: String]>

    enum BindError: Error, CustomStringConvertible {
        case busy(Int, Int32)
        var description: String {
            switch self {
            case .busy(let port, let code):
                "cannot listen for the OAuth callback on 127.0.0.1:\(port) (\(String(cString: strerror(code)))); "
                    + "pass another callback port (the argument after the URL)"
            }
        }
    }

    /// `port` 0 picks a free one.
    init(port: Int) throws(BindError) {
        let fd = Sockets.tcp()
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(fd, 8) == 0 else {
            let code = errno
            close(fd)
            throw .busy(port, code)
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.socket = fd
        let (stream, continuation) = AsyncStream.makeStream(of: [String: String].self)
        self.results = stream
        DetachedThread.start { Self.serve(fd, continuation) }
    }

    deinit { shutdown(socket, Int32(SHUT_RDWR)) }

    /// The first callback's query parameters (`code`, `state`, `iss`, or `error`).
    func next() async -> [String: String]? {
        var iterator = results.makeAsyncIterator()
        return await iterator.next()
    }

    private static func serve(_ fd: Int32, _ continuation: AsyncStream<[String: String]>.Continuation) {
        defer { close(fd) }
        while true {
            let client = accept(fd, nil, nil)
            guard client >= 0 else {
                if errno == EINTR { continue }
                return continuation.finish()
            }
            let target = readRequestTarget(client)
            if let target, target.hasPrefix("/oauth/callback") {
                let query = target.firstIndex(of: "?").map { target[target.index(after: $0)...] } ?? ""
                respond(client, 200, "Signed in. You can close this window and return to your application.")
                close(client)
                continuation.yield(FormEncoding.decode(query))
                continue
            }
            respond(client, 404, "Not found")
            close(client)
        }
    }

    /// The request line's target, read with a bound (8 KiB) and a 10 s receive timeout.
    private static func readRequestTarget(_ client: Int32) -> Substring? {
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var buffer = [UInt8](repeating: 0, count: 8192)
        var filled = 0
        while filled < buffer.count {
            let n = buffer.withUnsafeMutableBytes { raw in
                raw.baseAddress.map { recv(client, $0 + filled, raw.count - filled, 0) } ?? -1
            }
            guard n > 0 else { break }
            filled += n
            if buffer[..<filled].contains(UInt8(ascii: "\n")) { break }
        }
        let line = String(decoding: buffer[..<filled].prefix { $0 != UInt8(ascii: "\r") && $0 != UInt8(ascii: "\n") },
                          as: UTF8.self)
        let parts = line.split(separator: " ")
        guard parts.count >= 2, parts[0] == "GET" else { return nil }
        return parts[1]
    }

    private static func respond(_ client: Int32, _ status: Int, _ text: String) {
        let body = "<!doctype html><meta charset=utf-8><title>mcp-bridge</title><p>\(text)</p>\n"
        let head = "HTTP/1.1 \(status) \(status == 200 ? "OK" : "Not Found")\r\nContent-Type: text/html; charset=utf-8\r\n"
            + "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n"
        let bytes = Array((head + body).utf8)
        _ = bytes.withUnsafeBytes { Sockets.send(client, $0) }
    }
}
