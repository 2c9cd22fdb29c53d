import BridgePlatform
import CCurl

/// Sends pending TCP ACKs at once on the connections libcurl opened.
///
/// Servers that write a reply in several small pieces without TCP_NODELAY (uvicorn, so every FastMCP server) hold
/// each piece until the previous one is acknowledged, while Linux delays ACKs during back-to-back exchanges by up
/// to 40 ms: every sequential call through a reused connection then took ~44 ms instead of ~3 ms. Setting
/// TCP_QUICKACK after reading flushes the ACK. libcurl does not say which socket a transfer uses, so the sockets
/// are recorded as libcurl opens them and found again by local port.
///
/// Only transfers still running after a `curl_multi_perform` that gave them bytes are flushed (`schedule`, then
/// `flushScheduled`): a reply that arrived whole leaves the server waiting for nothing, and the next request on the
/// connection carries the ACK. Flushing every reply would cost an extra ACK segment (a `setsockopt`, a packet
/// through loopback and its processing) per call.
///
/// Linux only in effect: Darwin has no TCP_QUICKACK (`Sockets.acknowledgeQuickly` does nothing there).
///
/// Confinement: used only on the `CurlDriver` thread (libcurl's callbacks run there).
package final class QuickAck: @unchecked Sendable {
    private var sockets: Set<Int32> = []
    private var socketByPort: [Int: Int32] = [:]
    private var scheduled: [Transfer] = []

    /// `transfer` received bytes; its ACK is flushed after this round of `curl_multi_perform` if it is still running.
    func schedule(_ transfer: Transfer) {
        scheduled.append(transfer)
    }

    /// Flushes the ACKs of scheduled transfers that have not finished; called once per driver loop.
    func flushScheduled() {
        guard !scheduled.isEmpty else { return }
        for transfer in scheduled { transfer.acknowledgeIfRunning() }
        scheduled.removeAll(keepingCapacity: true)
    }

    /// CURLOPT_SOCKOPTFUNCTION: note each new socket; returning 0 lets libcurl go on.
    static let onSocketOpened: @convention(c) (UnsafeMutableRawPointer?, curl_socket_t, curlsocktype) -> Int32 = {
        context, socket, _ in
        guard let context else { return 0 }
        Unmanaged<QuickAck>.fromOpaque(context).takeUnretainedValue().sockets.insert(socket)
        return 0
    }

    /// Flushes the pending ACK of the connection whose local port is `localPort`; returns its socket, which the
    /// caller may keep for the rest of its transfer (a transfer never changes connection) and pass to `flush`.
    @discardableResult
    func acknowledge(localPort: Int) -> Int32? {
        guard localPort > 0 else { return nil }
        if let socket = socketByPort[localPort], Self.port(of: socket) == localPort {
            Self.flush(socket)
            return socket
        }
        reindex()
        guard let socket = socketByPort[localPort] else { return nil }
        Self.flush(socket)
        return socket
    }

    /// Rebuilds the port index, forgetting descriptors that are no longer sockets libcurl opened.
    private func reindex() {
        socketByPort.removeAll(keepingCapacity: true)
        for socket in sockets {
            guard let port = Self.port(of: socket) else {
                sockets.remove(socket)
                continue
            }
            socketByPort[port] = socket
        }
    }

    private static func port(of socket: Int32) -> Int? {
        var address = sockaddr_storage()
        var length = socklen_t(MemoryLayout<sockaddr_storage>.size)
        let found = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) == 0 }
        }
        guard found else { return nil }
        switch Int32(address.ss_family) {
        case AF_INET:
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { Int(UInt16(bigEndian: $0.pointee.sin_port)) }
            }
        case AF_INET6:
            return withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) {
                    Int(UInt16(bigEndian: $0.pointee.sin6_port))
                }
            }
        default:
            return nil
        }
    }

    /// Sets TCP_QUICKACK once: one system call, no lookup (nothing where the OS has no such option).
    static func flush(_ socket: Int32) {
        Sockets.acknowledgeQuickly(socket)
    }
}
