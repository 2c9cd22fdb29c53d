import Foundation
import Testing

/// What a script that pipes requests through the bridge relies on (README "Scripts"): `--exit-status` says whether
/// every request got a result, `--ordered` writes the answers in request order, `--input` reads a file.
@Suite("Scripts: exit status, ordered answers, input file")
struct ScriptingTests {
    func url() async throws -> String {
        try await SharedServers.stateful.value.url(SharedServers.mcpPath)
    }

    /// Runs the bridge over `lines` given on stdin; its exit status and stdout lines.
    private func run(_ lines: [String], flags: [String]) async throws -> (Int32, [String]) {
        let bridge = try BridgeProcess([try await url()] + flags)
        for line in lines { try bridge.send(line) }
        try bridge.closeStdin()
        let status = try await bridge.waitForExitAndOutput(timeout: .seconds(60))
        return (status, bridge.stdout.text.split(separator: "\n").map(String.init))
    }

    private static let session = [Messages.initialize(id: 1), Messages.initialized]
    private static let unknownMethod = #"{"jsonrpc":"2.0","id":9,"method":"no/such/method"}"#

    @Test func exitStatusIsZeroWhenEveryRequestGotAResult() async throws {
        let (status, lines) = try await run(Self.session + [Messages.toolsList(id: 2)], flags: ["--exit-status"])
        #expect(lines.count == 2)
        #expect(status == 0)
    }

    @Test func exitStatusIsTwoWhenARequestGotAnError() async throws {
        let (status, lines) = try await run(Self.session + [Self.unknownMethod], flags: ["--exit-status"])
        #expect(lines.count == 2)
        #expect(status == 2)
    }

    @Test func aLineThatIsNoRequestCountsAsAnError() async throws {
        let (status, _) = try await run(Self.session + ["not json"], flags: ["--exit-status"])
        #expect(status == 2)
    }

    @Test func withoutTheFlagTheExitStatusStaysZero() async throws {
        let (status, _) = try await run(Self.session + [Self.unknownMethod], flags: [])
        #expect(status == 0, "hosts do not read the exit status: off by default")
    }

    /// A slow call first, quick ones behind it: the quick answers arrive first unless `--ordered`. 3 s, so the
    /// three quick calls finish first even on a loaded CI machine (0.8 s was not always enough there).
    private static let batch = session + [
        Messages.call(id: 2, tool: "slow", arguments: #"{"seconds":3}"#),
        Messages.call(id: 3, tool: "echo", arguments: #"{"text":"three"}"#),
        Messages.toolsList(id: 4),
        Messages.call(id: 5, tool: "echo", arguments: #"{"text":"five"}"#),
    ]

    private static func ids(_ lines: [String]) throws -> [Int] {
        try lines.map { line in
            let object = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            return try #require(object["id"] as? Int, "\(line)")
        }
    }

    @Test func orderedWritesAnswersInRequestOrder() async throws {
        let (status, lines) = try await run(Self.batch, flags: ["--ordered"])
        #expect(status == 0)
        #expect(try Self.ids(lines) == [1, 2, 3, 4, 5])
    }

    @Test func unorderedAnswersLeaveAsTheyFinish() async throws {
        let (_, lines) = try await run(Self.batch, flags: [])
        let ids = try Self.ids(lines)
        #expect(Set(ids) == [1, 2, 3, 4, 5])
        #expect(ids.last == 2, "the slow call finishes last without --ordered: \(ids)")
    }

    @Test func inputReadsTheFileAndExitsAtItsEnd() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("mcp-bridge-input-\(getpid()).jsonl")
        try (Self.batch.joined(separator: "\n") + "\n").write(to: path, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: path) }
        // stdin stays open: the file's end alone must end the run.
        let bridge = try BridgeProcess([try await url(), "--input", path.path, "--ordered", "--exit-status"])
        let status = try await bridge.waitForExitAndOutput(timeout: .seconds(60))
        #expect(status == 0)
        let lines = bridge.stdout.text.split(separator: "\n").map(String.init)
        #expect(try Self.ids(lines) == [1, 2, 3, 4, 5])
    }

    @Test func anUnreadableInputFileIsAUsageError() async throws {
        let run = try await BridgeProcess.runToEnd([try await url(), "--input", "/nonexistent/requests.jsonl"])
        #expect(run.status == 64)
        #expect(run.stderr.contains("--input"))
    }
}

extension ScriptingTests {
    @Test func aCancelledRequestDoesNotHoldTheAnswersBehindIt() async throws {
        let bridge = try BridgeProcess([try await url(), "--ordered"])
        _ = try await bridge.handshake()
        try bridge.send(Messages.call(id: 2, tool: "slow", arguments: #"{"seconds":30}"#))
        try bridge.send(Messages.call(id: 3, tool: "echo", arguments: #"{"text":"three"}"#))
        try await Task.sleep(for: .milliseconds(300))
        try bridge.send(Messages.cancelled(requestID: 2))
        let answer = try await bridge.readMessage(timeout: .seconds(20))
        #expect(answer["id"] as? Int == 3, "\(answer)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }
}
