import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `--request-timeout` is a deadline for the host's whole request: every attempt and backoff, every redirect hop,
/// every resume and poll. When it passes the host gets -32001, the upstream work is cancelled, and nothing more is
/// sent for the request. `--connect-timeout` covers the TLS handshake.
@Suite("Hostile peers: deadlines", .serialized)
struct DeadlineTests {
    static let limit = 2.0

    /// Faults that each keep a request going for longer than the limit in their own way.
    static let faults = [
        ("retry-503", "fault=status&code=503&retry_after=1", ["--retries", "20", "--retry-budget", "60"]),
        ("redirect-chain", "fault=redirect&hops=5&hop_delay_ms=900", []),
        ("poll-forever", "fault=retry0", []),
        ("hang", "fault=hang", []),
    ]

    @Test(arguments: faults)
    func theDeadlineBoundsTheWholeRequest(_ name: String, _ query: String, _ extra: [String]) async throws {
        let peer = try await HostilePeer("deadline-\(name)", query: query,
                                         arguments: ["--request-timeout", "\(Self.limit)"] + extra)
        try await peer.handshake()
        let started = ContinuousClock.now
        try peer.request(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#), id: .int(2))
        let answer = try await peer.response(to: .int(2))
        let elapsed = ContinuousClock.now - started
        #expect(answer.errorCode == -32001, "\(answer)")
        #expect(elapsed < .seconds(Self.limit + 3), "answered after \(elapsed)")
        let sentAtDeadline = try Self.upstreamActivity(peer)
        try await Task.sleep(for: .seconds(1.5))
        #expect(try Self.upstreamActivity(peer) == sentAtDeadline, "the bridge kept working on the request")
        try await peer.finish()
        if name == "hang" {
            let cancelled = try peer.log().contains {
                $0["method"] as? String == "notifications/cancelled"
                    && ($0["params"] as? [String: Any])?["requestId"] as? Int == 2
            }
            #expect(cancelled, "the server was not told the request was cancelled")
        }
    }

    /// Calls, resumes and redirect hops the server saw for the request.
    static func upstreamActivity(_ peer: HostilePeer) throws -> Int {
        try peer.log().count {
            ["hostile-call", "hostile-resume"].contains($0["event"] as? String ?? "")
                || (($0["body"] as? String)?.contains(#""tools/call""#) ?? false)
        }
    }

    /// https to a port that accepts the connection and never answers the TLS handshake.
    @Test func theConnectTimeoutCoversTheTLSHandshake() async throws {
        let (fd, port) = try Self.silentListener()
        defer { close(fd) }
        let bridge = try BridgeProcess(["https://127.0.0.1:\(port)/mcp", "--connect-timeout", "1", "--retries", "0"])
        let started = ContinuousClock.now
        try bridge.send(Messages.toolsList(id: 1))
        let answer = try await bridge.readMessage(timeout: .seconds(30))
        #expect([-32000, -32001, -32003].contains(answer.errorCode ?? 0), "\(answer)")
        #expect(ContinuousClock.now - started < .seconds(6), "the handshake was not bounded by --connect-timeout")
        #expect(try await bridge.finish().status == 0)
    }

    /// A loopback socket that listens (the kernel completes TCP handshakes) but is never read.
    static func silentListener() throws -> (Int32, Int) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { raw in
                bind(fd, raw, length) == 0 && listen(fd, 16) == 0 && getsockname(fd, raw, &length) == 0
            }
        }
        guard fd >= 0, ok else { throw TestFailure("could not listen: errno \(errno)") }
        return (fd, Int(UInt16(bigEndian: address.sin_port)))
    }
}
