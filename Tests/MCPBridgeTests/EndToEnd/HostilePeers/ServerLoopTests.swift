import Foundation
import Testing

/// Server-driven loops are bounded: every resume and every reconnect of the GET stream waits a floor that backs
/// off, whatever SSE `retry:` says, so `retry: 0` (with a fresh event id each time, which looks like progress)
/// cannot make the bridge reconnect in a busy loop.
@Suite("Hostile peers: server-driven loops", .serialized)
struct ServerLoopTests {
    /// Over 4 s, a floor of 100 ms doubling allows 6 resumes; a busy loop makes thousands.
    @Test func resumesWithRetryZeroBackOff() async throws {
        let peer = try await HostilePeer("loop-resume", query: "fault=retry0")
        try await peer.handshake()
        try peer.send(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#))
        try await Task.sleep(for: .seconds(4))
        let resumes = try peer.log().count { $0["event"] as? String == "hostile-resume" }
        #expect((1...8).contains(resumes), "\(resumes) resumes in 4 s")
        try peer.send(Messages.cancelled(requestID: 2))
        try await peer.finish()
        try await Task.sleep(for: .seconds(1))
        let after = try peer.log().count { $0["event"] as? String == "hostile-resume" }
        #expect(after <= resumes + 1, "resumes went on after the host cancelled: \(after)")
    }

    /// The GET stream: `retry: 0` and an immediate close, for ever. A floor of 1 s doubling allows 4 in 4 s.
    @Test func theGETStreamWithRetryZeroBacksOff() async throws {
        let peer = try await HostilePeer("loop-get", query: "fault=get-retry0")
        try await peer.handshake()
        try await Task.sleep(for: .seconds(4))
        let opened = try peer.log().count { $0["event"] as? String == "hostile-get" }
        #expect((1...5).contains(opened), "\(opened) GET streams in 4 s")
        try await peer.finish()
    }
}
