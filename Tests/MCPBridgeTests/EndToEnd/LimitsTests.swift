import Foundation
import Testing

/// Limits that keep the bridge bounded whatever the server or host does (issue 5, items 2 and 7): oversized
/// replies, a never-ending event, requests beyond `--max-in-flight`, and redirects.
@Suite("Limits and redirects")
struct LimitsTests {
    @Test func aReplyLargerThanTheLimitIsRefusedNotBuffered() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/big?mb=8"), "--max-message-bytes", "1048576"])
        try bridge.send(Messages.toolsList(id: 1))
        let response = try await bridge.readMessage()
        #expect(response.errorCode == -32008, "\(response)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func anEventThatNeverEndsIsCutOffAtTheLimit() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/sse-endless-event"), "--max-message-bytes", "2097152"])
        try bridge.send(Messages.toolsList(id: 1))
        let response = try await bridge.readMessage()
        #expect(response.errorCode == -32008, "\(response)")
        let rss = try Self.peakRSSKiB(of: bridge.process.processIdentifier)
        // A sanitizer runtime (make sanitize) maps shadow memory of its own; the event is 512 MiB either way.
        let environment = ProcessInfo.processInfo.environment
        let sanitized = environment["TSAN_OPTIONS"] != nil || environment["ASAN_OPTIONS"] != nil
        #expect(rss < (sanitized ? 192 : 64) * 1024, "peak RSS \(rss) KiB: the endless event must not be buffered")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    /// Requests past `--max-in-flight` wait their turn: with a limit of 2 and three requests that hang, only two
    /// reach the server; cancelling one lets the third through. Nothing is dropped.
    @Test func requestsBeyondMaxInFlightWaitTheirTurn() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/hang"), "--max-in-flight", "2"])
        for id in 1...3 { try bridge.send(Messages.toolsList(id: id)) }
        try await server.waitForLog("two POSTs") { $0.requests(method: "POST").count == 2 }
        try await Task.sleep(for: .milliseconds(500))
        #expect(try await server.faultLog().requests(method: "POST").count == 2, "the third must wait")
        try bridge.send(Messages.cancelled(requestID: 1))
        try await server.waitForLog("the third request") { log in
            log.requests(method: "POST").contains { ($0["body"] as? String)?.contains(#""id":3"#) == true }
        }
    }

    @Test func aSameOriginRedirectIsFollowed() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/redirect?to=/json")])
        try bridge.send(Messages.toolsList(id: 1))
        let response = try await bridge.readMessage()
        #expect((response.result?["echo"] as? String) == "tools/list", "\(response)")
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
    }

    @Test func aCrossOriginRedirectIsRefusedAndTheTargetNeverContacted() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let other = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/redirect?to=http://127.0.0.1:\(other.port)/json"),
                                        "--header", "Authorization: Bearer s3cr3t"])
        try bridge.send(Messages.toolsList(id: 1))
        let response = try await bridge.readMessage()
        #expect(response.errorCode == -32004, "\(response)")
        #expect(response.errorMessage?.contains("another origin") == true)
        try bridge.closeStdin()
        #expect(try await bridge.waitForExit() == 0)
        #expect(try await other.faultLog().requests().isEmpty, "credentials must not reach another origin")
    }

    private static func peakRSSKiB(of pid: Int32) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") } ?? ""
        return Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0
    }
}
