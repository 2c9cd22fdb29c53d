import Foundation
import Testing

/// Batches in both directions: a host batch element that reuses an id in flight is refused like a single line
/// (-32011, never sent), and a server's JSON array reply to a single request is taken apart.
@Suite("Hostile peers: batches", .serialized)
struct BatchTests {
    @Test func aBatchElementReusingAnIDInFlightGetsDuplicateID() async throws {
        // The call is answered only once the server got the batch: it is surely in flight while the batch is handled.
        let peer = try await HostilePeer("batch-dup", query: "delay_ms=30000&until=batch")
        try await peer.handshake()
        try peer.request(Messages.request(id: .int(5), method: "tools/call", params: #"{"name":"x"}"#), id: .int(5))
        try await Task.sleep(for: .milliseconds(200))
        let batch = #"[{"jsonrpc":"2.0","id":5,"method":"ping"},{"jsonrpc":"2.0","id":6,"method":"ping"},"#
            + #"{"jsonrpc":"2.0","id":6,"method":"tools/list"}]"#
        try peer.request(batch, id: .int(5))
        peer.owe(.int(6))  // the batch's 6 …
        peer.owe(.int(6))  // … and its duplicate inside the batch
        var got: [[String: Any]] = []
        while got.count < 4 { got.append(try await peer.next()) }
        let fives = got.filter { ($0["id"] as? Int) == 5 }
        let sixes = got.filter { ($0["id"] as? Int) == 6 }
        #expect(fives.count { $0.errorCode == -32011 } == 1, "\(fives)")
        #expect(fives.count { ($0.result?["echo"] as? String) == "tools/call" } == 1, "the call in flight: \(fives)")
        #expect(sixes.count { $0.errorCode == -32011 } == 1, "\(sixes)")
        #expect(sixes.count { ($0.result?["echo"] as? String) == "ping" } == 1, "\(sixes)")
        try await peer.finish()
        let bodies = try peer.log().compactMap { $0["body"] as? String }.filter { $0.hasPrefix("[") }
        #expect(bodies == [#"[{"jsonrpc":"2.0","id":6,"method":"ping"}]"#], "the server saw \(bodies)")
    }

    @Test(arguments: ["array", "array-sse"])
    func aServerArrayIsSplitAndItsNonMessagesDropped(_ fault: String) async throws {
        let peer = try await HostilePeer("batch-\(fault)", query: "fault=\(fault)")
        try await peer.handshake()
        try peer.request(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#), id: .int(2))
        let answer = try await peer.response(to: .int(2))
        #expect(answer.result?["in_array"] as? Bool == true, "\(answer)")
        #expect(peer.messages.contains { $0["method"] as? String == "notifications/message" },
                "the notification inside the array reached the host: \(peer.messages)")
        try await peer.finish()
        #expect(peer.bridge.stderr.text.contains("not a JSON-RPC message"), "\(peer.bridge.stderr.text)")
        #expect(!peer.messages.contains { $0["method"] as? String == "nested" })
    }
}
