import Foundation
import Testing

/// Every request gets exactly one answer: when the POST fails — refused, HTTP errors, a
/// stream cut or ended early, garbage, an empty or 202 reply — the host gets one JSON-RPC error carrying its
/// request's id (integer or string), a code from the documented table and `data.source == "mcp-bridge"`; a server's
/// own JSON-RPC error is relayed as is; a failed notification is reported on stderr only. Default flags throughout:
/// transient failures of the (repeatable) `tools/list` requests used here are retried first, and still end in one
/// answer.
@Suite("Error mapping")
struct ErrorMappingTests {
    /// One way for a request to fail, and what the host must get back.
    struct Failure: Sendable, CustomTestStringConvertible {
        /// A fault server path, or nil for a port nobody listens on.
        let path: String?
        let code: Int
        let httpStatus: Int?
        var testDescription: String { "\(path ?? "refused connection") → \(code)" }
    }

    static let failures = [
        Failure(path: nil, code: -32000, httpStatus: nil),
        Failure(path: "/html500", code: -32004, httpStatus: 500),
        Failure(path: "/status?code=503", code: -32004, httpStatus: 503),
        Failure(path: "/status?code=401", code: -32009, httpStatus: 401),
        Failure(path: "/reset-mid-sse", code: -32005, httpStatus: nil),
        Failure(path: "/close-mid-sse", code: -32005, httpStatus: 200),
        Failure(path: "/garbage-sse", code: -32006, httpStatus: 200),
        Failure(path: "/empty-200", code: -32006, httpStatus: 200),
        Failure(path: "/202", code: -32006, httpStatus: 202),
    ]

    @Test(arguments: failures)
    func aFailedRequestGetsExactlyOneErrorWithItsID(_ failure: Failure) async throws {
        let bridge = if let path = failure.path {
            try await BridgeProcess.onFault(path)
        } else {
            try BridgeProcess.toUnusedPort()
        }
        let ids: [TestID] = [.int(1), .string("abc-1")]
        for id in ids { try bridge.send(Messages.request(id: id)) }
        // The two failures race each other: take the answers in whatever order they come.
        let answers = try await bridge.readResponses(count: ids.count)
        for id in ids {
            let matching = answers.filter { id.matches($0["id"]) }
            #expect(matching.count == 1, "\(id): \(answers)")
            let error = try #require(matching.first)
            #expect(error.errorCode == failure.code, "\(id): \(error)")
            #expect(error.errorData?["source"] as? String == "mcp-bridge")
            #expect(error.errorMessage?.isEmpty == false)
            if let status = failure.httpStatus {
                #expect(error.errorData?["httpStatus"] as? Int == status)
            }
        }
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty, "exactly one answer per request")
    }

    @Test func anHTMLErrorPageIsSummarizedInAnExcerptOfAtMostOneKiB() async throws {
        let bridge = try await BridgeProcess.onFault("/html500")
        try bridge.send(Messages.request(id: .int(1)))
        let (error, _) = try await bridge.readResponse(.int(1))
        #expect(error.errorCode == -32004)
        #expect(error.errorMessage?.contains("500") == true)
        let body = try #require(error.errorData?["body"] as? String)
        #expect(body.contains("<h1>Internal Server Error</h1>"))
        // The page is about 2 KiB: the excerpt is cut at 1 KiB and says so.
        #expect(body.utf8.count <= 1024 + "…".utf8.count)
        #expect(body.utf8.count >= 1000)
        #expect(body.hasSuffix("…"))
        #expect(try await bridge.finish().status == 0)
    }

    /// A cut stream: the progress notification sent before the cut still reaches the host, then exactly one error.
    /// A `tools/call` of an unannotated tool may have run, so it is not re-sent: -32012 (outcome unknown). A
    /// `tools/list` is safe to repeat, so it is retried (each attempt's notification relayed) and ends in -32005.
    @Test(arguments: ["/reset-mid-sse", "/close-mid-sse"])
    func aStreamCutBeforeTheResponseStillDeliversTheNotificationBeforeIt(path: String) async throws {
        let bridge = try await BridgeProcess.onFault(path)
        try bridge.send(Messages.progressRequest(id: .string("cut-1"), token: "cut"))
        let (unknown, before) = try await bridge.readResponse(.string("cut-1"))
        #expect(unknown.errorCode == -32012)
        #expect(unknown.errorData?["source"] as? String == "mcp-bridge")
        #expect(before.count == 1, "a side-effecting call must not be sent twice")
        #expect(before.first?["method"] as? String == "notifications/progress")
        #expect((before.first?["params"] as? [String: Any])?["progressToken"] as? String == "cut")

        try bridge.send(Messages.request(id: .int(2), method: "tools/list",
                                         params: #"{"_meta":{"progressToken":"list"}}"#))
        let (ended, notes) = try await bridge.readResponse(.int(2))
        #expect(ended.errorCode == -32005)
        #expect(ended.errorData?["source"] as? String == "mcp-bridge")
        #expect(!notes.isEmpty)
        #expect(notes.allSatisfy { ($0["params"] as? [String: Any])?["progressToken"] as? String == "list" })
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    @Test func garbageInTheEventStreamIsShownInTheErrorData() async throws {
        let bridge = try await BridgeProcess.onFault("/garbage-sse")
        try bridge.send(Messages.request(id: .int(9)))
        let (error, before) = try await bridge.readResponse(.int(9))
        #expect(before.isEmpty, "the garbage itself must never reach stdout")
        #expect(error.errorCode == -32006)
        #expect((error.errorData?["body"] as? String)?.contains("this is not json {") == true)
        #expect(try await bridge.finish().status == 0)
    }

    @Test(arguments: [TestID.int(12), TestID.string("abc-1")])
    func aServersOwnJSONRPCErrorIsRelayedAsIs(id: TestID) async throws {
        let server = try await SharedServers.fault.value
        let request = Messages.request(id: id, method: "tools/call", params: #"{"name":"x"}"#)
        let reference = String(decoding: try FaultTools.post(request, to: server.url("/jsonrpc-error")), as: UTF8.self)

        let bridge = try await BridgeProcess.onFault("/jsonrpc-error")
        try bridge.send(request)
        let line = try await bridge.readLine()
        let error = try #require(try parseJSON(line) as? [String: Any])
        #expect(id.matches(error["id"]))
        #expect(error.errorCode == -32602)
        #expect(error.errorMessage == "bad params from server")
        #expect(error.errorData == nil, "the server's error is not wrapped or annotated")
        #expect(line == reference, "relayed byte for byte")
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    /// `/session` refuses a POST without a session id (HTTP 400); nil: a port nobody listens on. (Every other fault
    /// path accepts notifications with 202.)
    @Test(arguments: ["/session", nil] as [String?])
    func aFailedNotificationIsReportedOnStderrOnly(path: String?) async throws {
        let bridge = if let path {
            try await BridgeProcess.onFault(path)
        } else {
            try BridgeProcess.toUnusedPort()
        }
        try bridge.send(Messages.logNotification)
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(bridge.stdout.text.isEmpty, "a notification never gets an answer on stdout")
        let warnings = bridge.stderr.text.split(separator: "\n").filter { $0.hasPrefix("mcp-bridge: warning: ") }
        #expect(warnings.contains { $0.contains("notifications/message") && (path == nil || $0.contains("400")) },
                "stderr: \(bridge.stderr.text)")
    }
}
