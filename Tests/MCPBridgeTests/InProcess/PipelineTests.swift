import Logging
import Synchronization
import Testing

@testable import BridgeHTTP
@testable import BridgeRuntime
@testable import MCPBridge

/// The outbound pipeline's middlewares against a scripted client: what is sent again, where, and what the caller
/// finally sees. No network, no process: milliseconds.
@Suite struct PipelineTests {
    static let url = "http://127.0.0.1:9/mcp"
    let logger = testLogger

    /// A fast policy: the same rules as the bridge's, with backoffs short enough for a unit test.
    let policy = {
        var policy = RetryPolicy(maxRetries: 3, budget: .seconds(600))
        policy.backoff = Backoff(initial: .milliseconds(1), maximum: .milliseconds(2))
        return policy
    }()

    func pipeline(_ client: ScriptedClient, location: EndpointLocation = EndpointLocation(url))
        -> RetryMiddleware<RedirectMiddleware<LoggingMiddleware<TransportFailureMiddleware<ScriptedClient>>>>
    {
        let network = TransportFailureMiddleware(next: client)
        let redirected = RedirectMiddleware(next: LoggingMiddleware(next: network, logger: logger), location: location,
                                            logger: logger)
        return RetryMiddleware(next: redirected, policy: policy, logger: logger)
    }

    static func post(_ body: String = #"{"jsonrpc":"2.0","id":1,"method":"tools/call"}"#) -> HTTPRequest {
        HTTPRequest(method: .post, url: url, headers: [], body: Array(body.utf8), connectTimeout: .seconds(1))
    }

    /// What the channels do with a response: 2xx gives the body, anything else the documented error.
    static func read(_ response: inout HTTPResponse) async throws -> String {
        let body = await response.collect(upTo: 1 << 20)
        guard (200..<300).contains(response.status) else {
            throw BridgeError.httpStatus(response.status, body: body)
        }
        return String(decoding: body, as: UTF8.self)
    }

    @Test func aTurnedAwayRequestIsSentAgainOnAFreshConnection() async throws {
        let client = ScriptedClient([.respond(503, body: "busy"), .respond(200, body: "ok")])
        let context = ExchangeContext(label: "tools/call", mayRetry: true)
        let reply = try await pipeline(client).send(Self.post(), context: context, reading: Self.read)
        #expect(reply == "ok")
        #expect(client.sent.count == 2)
        #expect(client.sent.map(\.freshConnection) == [false, true], "a retry must be free to reach another replica")
        #expect(client.sent[1].body == client.sent[0].body, "the same bytes go out again")
    }

    @Test func aRequestThatMayHaveRunIsNotRepeatedUnlessItIsSafe() async throws {
        let unsafe = ScriptedClient([.respond(502), .respond(200, body: "ok")])
        let context = ExchangeContext(label: "tools/call", mayRetry: true, isRepeatable: { false })
        await #expect(throws: BridgeError.self) {
            _ = try await pipeline(unsafe).send(Self.post(), context: context, reading: Self.read)
        }
        #expect(unsafe.sent.count == 1, "a 502 may come after the server ran the call")

        let safe = ScriptedClient([.respond(502), .respond(200, body: "ok")])
        let repeatable = ExchangeContext(label: "tools/list", mayRetry: true, isRepeatable: { true })
        #expect(try await pipeline(safe).send(Self.post(), context: repeatable, reading: Self.read) == "ok")
        #expect(safe.sent.count == 2)
    }

    @Test func aRefusedConnectionIsRetriedForAnyRequestAndMapsToTheDocumentedCode() async throws {
        let client = ScriptedClient([.fail(.connectionRefused("refused")), .fail(.connectionRefused("refused")),
                                     .respond(200, body: "ok")])
        let context = ExchangeContext(label: "tools/call", mayRetry: true, isRepeatable: { false })
        #expect(try await pipeline(client).send(Self.post(), context: context, reading: Self.read) == "ok")
        #expect(client.sent.count == 3, "nothing reached a server, so the call is safe to send again")

        let down = ScriptedClient(Array(repeating: .fail(.connectionRefused("refused")), count: 5))
        do {
            _ = try await pipeline(down).send(Self.post(), context: context, reading: Self.read)
            Issue.record("expected a failure")
        } catch let error as BridgeError {
            #expect(error.code == .connectFailed)
            #expect(error.underlyingError is HTTPClientError)
        }
        #expect(down.sent.count == 4, "--retries 3: the first attempt and three more")
    }

    @Test func aOneWayMessageIsSentOnce() async throws {
        let client = ScriptedClient([.respond(503), .respond(202)])
        await #expect(throws: BridgeError.self) {
            _ = try await pipeline(client).send(Self.post(), context: ExchangeContext(label: "notification"),
                                                reading: Self.read)
        }
        #expect(client.sent.count == 1)
    }

    @Test func aSameOriginRedirectIsFollowedAndMovesTheEndpoint() async throws {
        let location = EndpointLocation(Self.url)
        let client = ScriptedClient([.respond(307, headers: [("Location", "/mcp/")]), .respond(200, body: "ok")])
        let reply = try await pipeline(client, location: location).send(
            Self.post(), context: ExchangeContext(label: "tools/call"), reading: Self.read)
        #expect(reply == "ok")
        #expect(client.sent.map(\.url) == [Self.url, "http://127.0.0.1:9/mcp/"])
        #expect(client.sent.map(\.method) == [.post, .post], "an MCP POST stays a POST")
        #expect(location.current == "http://127.0.0.1:9/mcp/", "later requests go to where the endpoint lives now")
    }

    @Test func aRedirectToAnotherOriginIsRefusedInWords() async throws {
        let location = EndpointLocation(Self.url)
        let client = ScriptedClient([.respond(302, headers: [("Location", "https://elsewhere.example/mcp")])])
        do {
            _ = try await pipeline(client, location: location).send(
                Self.post(), context: ExchangeContext(label: "tools/call"), reading: Self.read)
            Issue.record("expected a refusal")
        } catch let error as BridgeError {
            #expect(error.message.contains("another origin"))
        }
        #expect(client.sent.count == 1, "credentials never go to a server the user did not name")
        #expect(location.current == Self.url)
    }

    @Test func aRedirectChainEndsAfterFiveHops() async throws {
        let client = ScriptedClient(Array(repeating: .respond(307, headers: [("Location", "/mcp")]), count: 10))
        await #expect(throws: BridgeError.self) {
            _ = try await pipeline(client).send(Self.post(), context: ExchangeContext(label: "tools/call"),
                                                reading: Self.read)
        }
        #expect(client.sent.count == Redirect.maxHops + 1)
    }
}

/// An `HTTPClient` that answers from a script, in order, and records every request it was sent.
final class ScriptedClient: HTTPClient, Sendable {
    enum Step: Sendable {
        case respond(Int, headers: [(String, String)] = [], body: String = "")
        case fail(HTTPClientError)
    }

    private let state: Mutex<(steps: [Step], sent: [HTTPRequest])>

    init(_ steps: [Step]) {
        state = Mutex((steps, []))
    }

    var sent: [HTTPRequest] { state.withLock { $0.sent } }

    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        let step = state.withLock { state -> Step in
            state.sent.append(request)
            return state.steps.isEmpty ? .fail(.connectionRefused("script exhausted")) : state.steps.removeFirst()
        }
        switch step {
        case .respond(let status, let headers, let body):
            var response = HTTPResponse(status: status, headers: headers.map { (name: $0.0, value: $0.1) },
                                        body: body.isEmpty ? [] : [Array(body.utf8)])
            return try await reading(&response)
        case .fail(let error):
            throw error
        }
    }
}
