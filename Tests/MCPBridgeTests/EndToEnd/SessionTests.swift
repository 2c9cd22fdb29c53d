import Foundation
import Testing

/// Sessions: the bridge carries the server's `Mcp-Session-Id` and the negotiated
/// `MCP-Protocol-Version` on every later request, and when the server forgets the session (404) it re-runs the host's
/// `initialize` + `notifications/initialized` and retries, so the host never notices: one re-initialization however
/// many requests hit the 404.
@Suite("Sessions")
struct SessionTests {
    /// The version header is the one the server's `initialize` result chose, not a constant of the bridge.
    @Test(arguments: ["2025-03-26", "2025-06-18"])
    func laterRequestsCarryTheSessionAndTheNegotiatedVersion(version: String) async throws {
        let server = try await SharedServers.stateful.value
        // The 2025 session rules themselves: auto would speak 2026-07-28 to this dual-era server.
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath), "--protocol", "legacy"])
        let initialize = try await bridge.handshake(version: version)
        let negotiated = try #require(initialize.result?["protocolVersion"] as? String)
        #expect(negotiated == version)

        try bridge.send(Messages.call(id: 2, tool: "request_headers"))
        let (call, _) = try await bridge.readResponse(id: 2)
        let headers = try parseJSONObjectText(call.toolText)
        let sessionID = try #require(headers["mcp-session-id"] as? String)
        #expect(!sessionID.isEmpty)
        #expect(headers["mcp-protocol-version"] as? String == negotiated)

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty)
    }

    @Test func anExpiredSessionIsRenewedWithoutTheHostNoticing() async throws {
        let fault = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([fault.url("/session")])
        _ = try await bridge.handshake()
        try bridge.send(Messages.request(id: .int(2), method: "tools/list"))
        let (first, _) = try await bridge.readResponse(id: 2)
        #expect(first.result?["session"] as? String == "s-1")

        try fault.expireFaultSessions()
        try bridge.send(Messages.request(id: .int(3), method: "tools/list"))
        let (renewed, before) = try await bridge.readResponse(id: 3)
        #expect(renewed.result?["session"] as? String == "s-2")
        #expect(before.isEmpty, "nothing but the response may reach the host: \(before)")

        let log = try await fault.faultLog()
        let initializes = log.posts(ofJSONRPCMethod: "initialize")
        try #require(initializes.count == 2, "the host's initialize and exactly one replay: \(log.entries)")
        #expect(initializes[1].header("mcp-session-id") == nil, "a new session starts without the dead id")
        let attempts = log.requests(method: "POST").filter { $0.jsonBody?["id"] as? Int == 3 }
        #expect(attempts.map { $0.header("mcp-session-id") } == ["s-1", "s-2"], "the 404'd try, then the retry")
        let renewedInitialized = log.posts(ofJSONRPCMethod: "notifications/initialized").last
        #expect(renewedInitialized?.header("mcp-session-id") == "s-2")
        #expect(try entryIndex(of: initializes[1], in: log) < entryIndex(of: try #require(attempts.last), in: log))

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "no extra stdout (e.g. the replayed initialize's result): \(later)")
    }

    @Test func aBurstThatHitsTheExpiredSessionReInitializesOnce() async throws {
        let fault = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([fault.url("/session")])
        _ = try await bridge.handshake()
        try bridge.send(Messages.request(id: .int(2), method: "tools/list"))
        _ = try await bridge.readResponse(id: 2)

        try fault.expireFaultSessions()
        let ids = Array(10..<18)
        let burst = ids.map { Messages.request(id: .int($0), method: "tools/list") }.joined(separator: "\n")
        try bridge.send(burst)
        let responses = try await bridge.readResponses(count: ids.count)
        #expect(Set(responses.compactMap { $0["id"] as? Int }) == Set(ids))
        for response in responses {
            #expect(response.result?["session"] as? String == "s-2", "\(response)")
        }

        let log = try await fault.faultLog()
        #expect(log.posts(ofJSONRPCMethod: "initialize").count == 2, "one replay for the whole burst: \(log.entries)")
        #expect(!log.requests().contains { $0.header("mcp-session-id") == "s-3" })

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "\(later)")
    }

    /// A 2025-03-26 host's batch that finds its session gone is not processed either: the session is renewed and
    /// the batch sent again, and each request gets its answer from the new session.
    @Test func aBatchThatHitsTheExpiredSessionIsRenewedAndSentAgain() async throws {
        let fault = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([fault.url("/session")])
        _ = try await bridge.handshake(version: "2025-03-26")
        try fault.expireFaultSessions()
        try bridge.send("[" + Messages.toolsList(id: 2) + "," + Messages.toolsList(id: 3) + "]")
        let line = try await bridge.readLine()
        let responses = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [[String: Any]],
                                     "the batch's answers, one line: \(line)")
        #expect(Set(responses.compactMap { $0["id"] as? Int }) == [2, 3], "\(responses)")
        for response in responses {
            #expect(response.result?["session"] as? String == "s-2", "\(response)")
        }
        let log = try await fault.faultLog()
        #expect(log.posts(ofJSONRPCMethod: "initialize").count == 2, "one replay: \(log.entries)")

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "\(later)")
    }

    /// A restarted server (here: its sessions expired, and the GET stream of the old one ended after event `g1`):
    /// the first request renews the session, and the renewed session's GET stream opens at once, without the old
    /// stream's `Last-Event-ID` (an id of another session) and without the backoff the refused GETs built up, so
    /// what the server sends on it right away reaches the host.
    @Test func aRenewedSessionGetsItsOwnGetStreamAtOnce() async throws {
        let fault = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([fault.url("/get-stream")])
        _ = try await bridge.handshake()
        let first = try await bridge.readMessage()
        #expect((first["params"] as? [String: Any])?["data"] as? String == "hello from the GET stream of s-1")

        try fault.expireFaultSessions()
        // The stream of s-1 ends, and GETs for it are refused (404) until the backoff has grown to 8 s.
        _ = try await fault.waitForLog("three GETs refused for s-1") { log in
            log.requests(method: "GET").filter { $0.header("mcp-session-id") == "s-1" }.count >= 4
        }
        try bridge.send(Messages.request(id: .int(2), method: "tools/list"))
        let (renewed, before) = try await bridge.readResponse(id: 2)
        #expect(renewed.result?["session"] as? String == "s-2", "\(renewed)")
        // The new stream may open before the retried request is answered.
        var hello = before.first ?? [:]
        if before.isEmpty { hello = try await bridge.readMessage(timeout: .seconds(4)) }
        #expect((hello["params"] as? [String: Any])?["data"] as? String == "hello from the GET stream of s-2")
        let opened = try await fault.faultLog().events("get-stream-opened").filter { $0["session"] as? String == "s-2" }
        #expect(opened.count == 1 && opened.first?["lastEventId"] is NSNull, "no event id of s-1: \(opened)")

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty, "\(later)")
    }

    /// The position of a request entry in the log (entries are compared by their body and session header).
    private func entryIndex(of entry: [String: Any], in log: FaultLog) throws -> Int {
        let index = log.entries.firstIndex {
            $0["body"] as? String == entry["body"] as? String
                && $0.header("mcp-session-id") == entry.header("mcp-session-id")
        }
        return try #require(index)
    }
}

/// 2025-11-25 SSE polling: a server may close a request's stream after an event id and `retry`, without the
/// response; the client must resume with GET and `Last-Event-ID` and still answer the host.
@Suite("Polled response streams")
struct PolledStreamTests {
    @Test func aStreamClosedAfterAnEventIDIsResumedWithLastEventID() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/poll")])
        _ = try await bridge.handshake()
        try bridge.send(Messages.toolsList(id: 2))
        let (response, _) = try await bridge.readResponse(id: 2)
        #expect(response.result?["resumed"] as? Bool == true, "\(response)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        let resumed = try await server.faultLog().events("poll-resumed")
        #expect(resumed.count == 1)
        #expect(resumed.first?["lastEventId"] as? String == "p-1")
    }
}
