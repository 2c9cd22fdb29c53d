import Foundation
import Testing

/// Host notifications are bounded like requests: a burst of thousands is queued and delivered, every one, in the
/// order written, a few at a time (not one connection each); a `notifications/cancelled` reaches the server after
/// the request it cancels.
@Suite("Hostile peers: notification floods", .serialized)
struct NotificationFloodTests {
    @Test func aBurstIsDeliveredInOrderWithoutAConnectionEach() async throws {
        let peer = try await HostilePeer("flood", query: "fault=slow-notify&delay_ms=1")
        try await peer.handshake()
        let count = 2000
        let burst = (0..<count).map { #"{"jsonrpc":"2.0","method":"notifications/flood","params":{"n":\#($0)}}"# }
        try peer.bridge.sendRaw(Data((burst.joined(separator: "\n") + "\n").utf8))
        // The ping behind the burst is read once the queue has room: stdin waits, as it does behind requests.
        try await peer.finish(timeout: .seconds(120))
        let received = try peer.log().filter { $0["event"] as? String == "hostile-notification"
            && $0["method"] as? String == "notifications/flood" }
        let order = received.compactMap { ($0["params"] as? [String: Any])?["n"] as? Int }
        #expect(order == Array(0..<count), "received \(order.count) of \(count), in order: \(order == order.sorted())")
        let concurrency = received.compactMap { $0["concurrent"] as? Int }.max() ?? 0
        #expect(concurrency <= 4, "\(concurrency) notifications were being delivered at once")
        #expect(!peer.bridge.stderr.text.contains("could not deliver"), "\(peer.bridge.stderr.text)")
    }

    @Test func aCancellationNeverOvertakesTheRequestItCancels() async throws {
        let peer = try await HostilePeer("cancel-order", query: "delay_ms=200")
        try await peer.handshake()
        let ids = Array(10..<30)
        var lines = ""
        for id in ids {
            lines += Messages.request(id: .int(id), method: "tools/call", params: #"{"name":"x"}"#) + "\n"
                + Messages.cancelled(requestID: id) + "\n"
        }
        try peer.bridge.sendRaw(Data(lines.utf8))
        try await Task.sleep(for: .seconds(1))
        try await peer.finish()
        let log = try peer.log()
        for id in ids {
            let call = log.firstIndex { $0["event"] as? String == "hostile-call" && $0["id"] as? String == "\(id)" }
            let cancel = log.firstIndex {
                $0["event"] as? String == "hostile-notification" && $0["method"] as? String == "notifications/cancelled"
                    && ($0["params"] as? [String: Any])?["requestId"] as? Int == id
            }
            if let cancel, let call { #expect(call < cancel, "the cancellation of \(id) overtook it") }
            if let cancel, call == nil {
                // Stopped before it was sent: the server hears of an id it never saw, which it ignores.
                _ = cancel
            }
        }
    }
}
