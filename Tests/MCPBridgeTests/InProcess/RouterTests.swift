import Testing

@testable import BridgeWire
@testable import MCPBridge

/// The router against a fake channel and the in-process sink: which host lines are refused locally, in which
/// words, and which reach the server.
@Suite struct RouterTests {
    let host = HostOutput()

    func router(_ channel: FakeChannel, hiding patterns: [String] = [], mode: ProtocolMode = .legacy) -> Router {
        let tools = ToolCatalog(filter: ToolFilter(patterns: patterns), logger: testLogger)
        let routing = ReplyRouting(sink: host.sink, tools: tools, logger: testLogger)
        let direct = DirectHandler(channel: channel, routing: routing)
        let session = SessionState()
        let eras = EraRouter(
            eras: EraState(mode: mode, transport: .httpFirst),
            probe: EraProbe(mode: mode, channel: channel, logger: testLogger), direct: direct,
            legacyHost: LegacyHostTranslator(channel: channel, session: session, routing: routing, direct: direct),
            modernHost: ModernHostTranslator(channel: channel, session: session, routing: routing,
                                             startServerStream: {}),
            channel: channel, session: session, stopServerStream: {})
        let work = WorkTracker()
        return Router(eras: eras, sink: host.sink, channel: channel, tools: tools, maxMessageBytes: 1 << 20,
                      logger: testLogger, work: work, startServerStream: {},
                      permits: RequestPermits(limit: 4), admission: RequestPermits(limit: 16),
                      notifications: NotificationQueue(capacity: 16, work: work) { _ = await channel.send($0, what: $1) })
    }

    func send(_ router: Router, _ line: String) async {
        await router.handle(.line(Array(line.utf8)))
        await router.work.waitIdle()
    }

    @Test func linesThatAreNotRequestsAreAnsweredLocallyAndNothingIsSent() async throws {
        let channel = FakeChannel { _ in [] }
        let router = router(channel, hiding: ["secret_*"])
        await send(router, "not json")
        await send(router, #"{"jsonrpc":"2.0","id":1}"#)
        await send(router, #"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"secret_reset"}}"#)
        await router.handle(.oversized(length: 5_000_000))
        let lines = await host.lines()
        #expect(lines.count == 4, "\(lines)")
        #expect(lines[0].contains("-32700"), "a parse error: \(lines[0])")
        #expect(lines[1].contains("-32600"))
        #expect(lines[2].contains("-32602") && lines[2].contains("--ignore-tool"))
        #expect(lines[3].contains("-32700") && lines[3].contains("--max-message-bytes"))
        #expect(channel.calls.isEmpty && channel.sent.isEmpty)
    }

    @Test func aRequestIsRelayedAndAnsweredAndNotificationsAreSentAsWritten() async throws {
        let channel = FakeChannel { request in [#"{"jsonrpc":"2.0","id":\#(request.id.json),"result":{}}"#] }
        let router = router(channel)
        await send(router, #"{"jsonrpc":"2.0","id":"x","method":"ping"}"#)
        await send(router, #"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#)
        #expect(await host.lines() == [#"{"jsonrpc":"2.0","id":"x","result":{}}"#])
        #expect(channel.calls.map(\.method) == ["ping"])
        #expect(channel.sent == [#"{"jsonrpc":"2.0","method":"notifications/roots/list_changed"}"#])
    }
}
