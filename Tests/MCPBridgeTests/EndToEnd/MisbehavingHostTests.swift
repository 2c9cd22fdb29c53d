import Foundation
import Testing

/// A host that breaks the rules must not break the bridge. (A final line without a newline at stdin EOF
/// is covered by StdinFramingTests; here a truncated message at EOF while a request is still in flight.)
@Suite("A misbehaving host")
struct MisbehavingHostTests {
    @Test func aDuplicateIDInFlightGetsAnErrorAndTheFirstRequestItsRealAnswer() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 7, tool: "slow", arguments: #"{"seconds":1}"#))
        try bridge.send(Messages.call(id: 7, tool: "echo", arguments: #"{"text":"second"}"#))
        let duplicate = try await bridge.readMessage()
        #expect(duplicate["id"] as? Int == 7)
        #expect(duplicate.errorCode == -32011)
        #expect(duplicate.errorData?["source"] as? String == "mcp-bridge")
        let first = try await bridge.readMessage()
        #expect(first["id"] as? Int == 7)
        #expect(first.toolText == "slept 1.0")
        // Once the first is answered, the id is free again.
        try bridge.send(Messages.call(id: 7, tool: "echo", arguments: #"{"text":"reused"}"#))
        #expect(try await bridge.readMessage().toolText == "reused")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        #expect(bridge.stdout.unreadCount == 0)
    }

    @Test func responsesToIDsTheServerNeverUsedWriteNothingAndLogAtMostAWarning() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        let before = bridge.stderr.text.split(separator: "\n").count
        try bridge.send(#"{"jsonrpc":"2.0","id":999,"result":{}}"#)
        try bridge.send(#"{"jsonrpc":"2.0","id":"nobody-asked","error":{"code":-1,"message":"no"}}"#)
        try bridge.send(Messages.call(id: 2, tool: "echo", arguments: #"{"text":"still here"}"#))
        let answer = try await bridge.readMessage()
        #expect(answer["id"] as? Int == 2)
        #expect(answer.toolText == "still here")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        #expect(bridge.stdout.unreadCount == 0, "the bridge wrote something for a stray response")
        let logged = bridge.stderr.text.split(separator: "\n").dropFirst(before)
        // The SDK server answers 202 to both; a server that rejects them costs one warning each, never an error.
        #expect(logged.count <= 2, "\(logged)")
        #expect(!logged.contains { $0.hasPrefix("mcp-bridge: error: ") }, "\(logged)")
    }

    @Test func stdinClosedMidMessageGetsOneParseErrorAndInFlightRequestsStillTheirAnswers() async throws {
        let server = try await SharedServers.stateless.value
        let bridge = try BridgeProcess([server.url(SharedServers.mcpPath)])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 3, tool: "slow", arguments: #"{"seconds":0.5}"#))
        try bridge.sendRaw(Data(#"{"jsonrpc":"2.0","id":4,"method":"tools/ca"#.utf8))
        try bridge.closeStdin()
        var answers: [[String: Any]] = []
        while let line = try await bridge.stdout.nextLine(timeout: .seconds(15)) {
            answers.append(try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]))
        }
        #expect(try await bridge.waitForExit() == 0)
        #expect(answers.count == 2)
        #expect(answers.contains { $0.errorCode == -32700 && $0["id"] is NSNull })
        #expect(answers.contains { $0["id"] as? Int == 3 && $0.toolText == "slept 0.5" })
    }

    /// The 100,000-line burst of RELIABILITY.md, CI-sized: every line written as fast as the pipe takes it.
    @Test(.timeLimit(.minutes(2)))
    func aBurstOfTwentyThousandLinesIsAnsweredOnceEachWithBoundedMemory() async throws {
        let server = try await FastServer.start()
        let host = try LoadHost([server.url("/mcp")])
        try await host.handshake()
        let count = 20_000
        let report = await host.run(count: count, window: nil, deadline: .seconds(90)) {
            Messages.call(id: $0, tool: "echo", arguments: #"{"text":"burst \#($0)"}"#)
        }
        let peak = report.samples.map(\.peakKiB).max() ?? 0
        let fds = report.samples.map(\.fds)
        print("burst: \(report); peak RSS \(peak) KiB; fds \(fds.min() ?? 0)…\(fds.max() ?? 0)")
        #expect(report.sent == count)
        #expect(report.answered == count)
        #expect(report.hung == 0)
        #expect(report.answeredTwice == 0)
        #expect(report.errors.isEmpty, "\(report.errorSamples)")
        // --max-in-flight (256) bounds what the bridge holds; the rest waits in the pipe.
        if TestEnvironment.measuresMemory { #expect(peak < 150 * 1024, "peak RSS \(peak) KiB") }
        #expect((fds.max() ?? 0) < 300)
        try host.closeStdin()
        #expect(try await host.waitForExit() == 0)
        #expect(host.strayLines == 0)
    }
}
