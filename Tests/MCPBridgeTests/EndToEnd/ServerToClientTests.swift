import Foundation
import Testing

/// Server-to-client traffic: requests and notifications a server sends on a POST's event
/// stream reach the host before the final response, the host's answers go back to the server, and messages on the
/// session's GET stream reach the host with no request at all.
@Suite("Server-to-client traffic")
struct ServerToClientTests {
    @Test func aServerRequestReachesTheHostAndItsAnswerReachesTheServer() async throws {
        let fault = try await ServerProcess.ownFaultServer()  // its reply waiter is per server: not shared
        let bridge = try BridgeProcess([fault.url("/sse-server-request?timeout_s=60")])
        try bridge.send(Messages.call(id: 5, tool: "needs_a_ping"))

        let ping = try await bridge.readMessage()
        #expect(ping["id"] as? String == "srv-1")
        #expect(ping["method"] as? String == "ping")
        let log = try await bridge.readMessage()
        #expect(log["method"] as? String == "notifications/message")
        #expect(log["id"] == nil)

        try bridge.send(#"{"jsonrpc":"2.0","id":"srv-1","result":{}}"#)
        let (response, before) = try await bridge.readResponse(id: 5)
        #expect(before.isEmpty)
        let gotReply = try #require(response.result?["gotReply"] as? [String: Any], "\(response)")
        #expect(gotReply.isEmpty)

        let posts = try await fault.faultLog().requests(method: "POST")
        let posted = posts.filter { $0.jsonBody?["id"] as? String == "srv-1" }
        #expect(posted.count == 1, "the host's answer is POSTed back once")
        #expect(posted.first?.jsonBody?["method"] == nil)
        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty)
    }

    @Test func progressNotificationsArriveBeforeTheResult() async throws {
        let server = try await SharedServers.stateful.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "progress", arguments: #"{"steps":4}"#,
                                      meta: #"{"progressToken":"p-42"}"#))

        let (response, before) = try await bridge.readResponse(id: 2)
        #expect(response.toolText == "done")
        let progress = before.filter { $0["method"] as? String == "notifications/progress" }
        #expect(progress.count == 4, "\(before)")
        let params = progress.compactMap { $0["params"] as? [String: Any] }
        #expect(params.allSatisfy { $0["progressToken"] as? String == "p-42" })
        #expect(params.compactMap { $0["progress"] as? Int } == [1, 2, 3, 4])

        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func logMessagesArriveBeforeTheResult() async throws {
        let server = try await SharedServers.stateful.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 3, tool: "log_messages", arguments: #"{"count":3}"#))

        let (response, before) = try await bridge.readResponse(id: 3)
        #expect(response.toolText == "logged 3")
        let data = before.filter { $0["method"] as? String == "notifications/message" }
            .compactMap { ($0["params"] as? [String: Any])?["data"] as? String }
        #expect(data == ["log message 1/3", "log message 2/3", "log message 3/3"])

        let (status, _) = try await bridge.finish()
        #expect(status == 0)
    }

    @Test func anElicitationIsAnsweredByTheHost() async throws {
        let server = try await SharedServers.stateful.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 4, tool: "ask_name"))

        let request = try await bridge.readMessage()
        #expect(request["method"] as? String == "elicitation/create")
        let elicitationID = try #require(request["id"], "a server request carries an id: \(request)")
        let schema = (request["params"] as? [String: Any])?["requestedSchema"] as? [String: Any]
        #expect((schema?["properties"] as? [String: Any])?["name"] != nil, "\(request)")

        try bridge.answerServerRequest(id: elicitationID, result: ["action": "accept", "content": ["name": "Ada"]])
        let (response, _) = try await bridge.readResponse(id: 4)
        #expect(response.toolText == "hello Ada", "\(response)")

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty)
    }

    @Test func theGetStreamDeliversServerInitiatedMessagesWithoutARequest() async throws {
        let fault = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([fault.url("/get-stream")])
        _ = try await bridge.handshake()

        let message = try await bridge.readMessage()
        #expect(message["method"] as? String == "notifications/message")
        #expect((message["params"] as? [String: Any])?["data"] as? String == "hello from the GET stream of s-1")
        let log = try await fault.waitForLog("get-stream-opened for s-1") { log in
            log.events("get-stream-opened").contains { $0["session"] as? String == "s-1" }
        }
        let requests = log.requests(method: "POST").filter { $0.jsonBody?["id"] != nil }
        #expect(requests.count == 1, "only the initialize was POSTed as a request: \(requests)")

        let (status, later) = try await bridge.finish()
        #expect(status == 0)
        #expect(later.isEmpty)
    }
}
