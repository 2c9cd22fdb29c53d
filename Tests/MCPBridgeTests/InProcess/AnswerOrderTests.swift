import Testing

@testable import BridgeWire
@testable import MCPBridge

/// `--ordered`: the answers reach the host in the order of its requests, whoever answers first, and a request
/// that will never be answered (cancelled, or answered inside a batch line) does not hold the rest.
struct AnswerOrderTests {
    private func request(_ id: Int) -> String {
        #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"echo"}}"#
    }

    private func reply(_ id: Int) throws -> ServerMessage {
        let bytes = Array(#"{"jsonrpc":"2.0","id":\#(id),"result":{}}"#.utf8)
        return ServerMessage(bytes: bytes, envelope: try Envelope.classify(bytes))
    }

    private func ids(_ lines: [String]) -> [String] {
        lines.map { line in
            guard let start = line.firstRange(of: #""id":"#) else { return line }
            return String(line[start.upperBound...].prefix { $0.isNumber })
        }
    }

    @Test func laterAnswersWaitForEarlierOnesAndACancelledRequestGivesUpItsPlace() async throws {
        let host = HostOutput(ordered: true)
        for id in 1...4 { _ = try host.hostSent(request(id)) }
        await host.sink.answer(.number("4"), with: try reply(4))
        await host.sink.answer(.number("3"), with: try reply(3))
        await host.sink.cancel(.number("2"))
        #expect(await host.lines().isEmpty, "request 1 is still unanswered")
        await host.sink.answer(.number("1"), with: try reply(1))
        #expect(ids(await host.lines()) == ["1", "3", "4"])
    }

    @Test func aBatchLineTakesItsFirstRequestsPlace() async throws {
        let host = HostOutput(ordered: true)
        for id in 1...3 { _ = try host.hostSent(request(id)) }
        let batch = Array(#"[{"jsonrpc":"2.0","id":3,"result":{}},{"jsonrpc":"2.0","id":2,"result":{}}]"#.utf8)
        await host.sink.deliverBatch(ServerMessage(bytes: batch, envelope: try Envelope.classify(batch)))
        #expect(await host.lines().isEmpty)
        await host.sink.answer(.number("1"), with: try reply(1))
        let lines = await host.lines()
        #expect(lines.count == 2, "\(lines)")
        #expect(lines.first.map { ids([$0]) } == ["1"])
        #expect(lines.last?.hasPrefix("[") == true, "the batch's one line comes second: \(lines)")
    }

    @Test func answersFromManyTasksAtOnceLeaveInRequestOrder() async throws {
        let host = HostOutput(ordered: true)
        let count = 200
        for id in 0..<count { _ = try host.hostSent(request(id)) }
        let replies = try (0..<count).map { try reply($0) }
        await withTaskGroup(of: Void.self) { group in
            for id in (0..<count).shuffled() {
                group.addTask { await host.sink.answer(.number("\(id)"), with: replies[id]) }
            }
        }
        #expect(ids(await host.lines()) == (0..<count).map(String.init))
    }

    @Test func withoutOrderingAnswersLeaveAtOnce() async throws {
        let host = HostOutput()
        for id in 1...2 { _ = try host.hostSent(request(id)) }
        await host.sink.answer(.number("2"), with: try reply(2))
        #expect(ids(await host.lines()) == ["2"])
    }
}
