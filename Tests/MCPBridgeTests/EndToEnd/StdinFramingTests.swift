import Foundation
import Testing

/// Stdin framing: whatever a host writes on stdin — LF or CRLF lines, blank lines, garbage,
/// a huge line, JSON that is not JSON-RPC, a last line without newline — the bridge answers what deserves an answer
/// with the right JSON-RPC error, stays silent on blank lines, and keeps relaying the lines that follow.
@Suite("stdin framing")
struct StdinFramingTests {
    @Test func lfAndCrlfLinesAreBothRelayedWithoutTheirTerminators() async throws {
        let server = try await ServerProcess(script: "fault_server.py", arguments: ["--port", "0"])
        let bridge = try await BridgeProcess.onFault("/json", server: server)
        let lf = Messages.request(id: .int(1), method: "lf/line")
        let crlf = Messages.request(id: .int(2), method: "crlf/line")
        try bridge.sendRaw(Data((lf + "\n").utf8))
        let (first, _) = try await bridge.readResponse(.int(1))
        #expect(first.result?["echo"] as? String == "lf/line")
        try bridge.sendRaw(Data((crlf + "\r\n").utf8))
        let (second, _) = try await bridge.readResponse(.int(2))
        #expect(second.result?["echo"] as? String == "crlf/line")

        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
        // The server received each line exactly as written, minus its LF or CRLF.
        let bodies = try FaultTools.log(of: server).compactMap { $0["body"] as? String }
        #expect(bodies == [lf, crlf])
    }

    @Test func blankAndWhitespaceOnlyLinesProduceNoOutput() async throws {
        let bridge = try await BridgeProcess.onFault("/json")
        try bridge.sendRaw(Data("\n\r\n   \n\t \t\n \r\n".utf8))
        try bridge.send(Messages.request(id: .int(7)))
        // Had any blank line been answered (e.g. as a parse error), it would come first: local errors need no HTTP.
        let line = try await bridge.readLine()
        let message = try #require(try parseJSON(line) as? [String: Any])
        #expect(message["id"] as? Int == 7)
        #expect(message.result?["echo"] as? String == "tools/list")
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    @Test func aLineThatIsNotJSONGetsAParseErrorAndTheBridgeKeepsGoing() async throws {
        let bridge = try await BridgeProcess.onFault("/json")
        try bridge.send("this is { not json")
        let error = try await bridge.readMessage()
        #expect(error.errorCode == -32700)
        #expect(error.keys.contains("id") && error["id"] is NSNull)
        #expect(error["jsonrpc"] as? String == "2.0")
        try bridge.send(Messages.request(id: .int(2)))
        let (answer, before) = try await bridge.readResponse(.int(2))
        #expect(answer.result?["echo"] as? String == "tools/list")
        #expect(before.isEmpty)
        #expect(try await bridge.finish().status == 0)
    }

    @Test func aLineLongerThanMaxMessageBytesGetsOneParseErrorAndTheNextLineWorks() async throws {
        let bridge = try await BridgeProcess.onFault("/json", extraArguments: ["--max-message-bytes", "2048"])
        // Valid JSON-RPC, so only its length can make the bridge refuse it.
        let filler = String(repeating: "x", count: 3000)
        let oversized = Messages.request(id: .int(1), method: "too/long", params: #"{"filler":"\#(filler)"}"#)
        try bridge.send(oversized)
        try bridge.send(Messages.request(id: .int(2), method: "after/long"))
        let error = try await bridge.readMessage()
        #expect(error.errorCode == -32700)
        #expect(error.keys.contains("id") && error["id"] is NSNull)
        #expect(error.errorMessage?.contains("\(oversized.utf8.count)") == true)
        let answer = try await bridge.readMessage()
        #expect(answer["id"] as? Int == 2)
        #expect(answer.result?["echo"] as? String == "after/long")
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty, "the oversized line must be answered once and never relayed")
    }

    /// A JSON value that is not a JSON-RPC message, and the id the -32600 answer must carry (nil: `null`).
    struct NotJSONRPC: Sendable, CustomTestStringConvertible {
        let line: String
        let id: Int?
        var testDescription: String { line }
    }

    @Test(arguments: [
        NotJSONRPC(line: "42", id: nil),
        NotJSONRPC(line: #"{"jsonrpc":"2.0","id":5}"#, id: 5),
        NotJSONRPC(line: #"{"jsonrpc":"1.0","id":6,"method":"x"}"#, id: 6),
        NotJSONRPC(line: #"{"jsonrpc":"2.0","id":null,"method":"x"}"#, id: nil),
    ])
    func jsonThatIsNotJSONRPCGetsInvalidRequestWithItsID(_ input: NotJSONRPC) async throws {
        let bridge = try await BridgeProcess.onFault("/json")
        try bridge.send(input.line)
        let error = try await bridge.readMessage()
        #expect(error.errorCode == -32600)
        if let id = input.id {
            #expect(error["id"] as? Int == id)
        } else {
            #expect(error.keys.contains("id") && error["id"] is NSNull)
        }
        try bridge.send(Messages.request(id: .int(99)))
        let (answer, before) = try await bridge.readResponse(.int(99))
        #expect(answer.result?["echo"] as? String == "tools/list")
        #expect(before.isEmpty)
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        #expect(finished.laterLines.isEmpty)
    }

    @Test func aFinalLineWithoutNewlineIsStillProcessedWhenStdinCloses() async throws {
        let bridge = try await BridgeProcess.onFault("/json")
        try bridge.sendRaw(Data(Messages.request(id: .string("last"), method: "no/newline").utf8))
        let finished = try await bridge.finish()
        #expect(finished.status == 0)
        let line = try #require(finished.laterLines.first)
        let answer = try #require(try parseJSON(line) as? [String: Any])
        #expect(answer["id"] as? String == "last")
        #expect(answer.result?["echo"] as? String == "no/newline")
        #expect(finished.laterLines.count == 1)
    }
}
