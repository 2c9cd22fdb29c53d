import Foundation
import Testing

/// Limits that keep the bridge bounded whatever the server or host does: oversized
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

    /// A host that writes far faster than the bridge admits requests waits in the pipe: past a few MiB of lines
    /// queued inside the bridge, stdin is no longer read, so the bridge's memory stays bounded however much the host
    /// has to say (the lines are all still read and answered once the requests ahead of them finish).
    @Test func aHostThatOutrunsTheBridgeWaitsInThePipe() async throws {
        let server = try await ServerProcess.ownFaultServer()
        let bridge = try BridgeProcess([server.url("/hang"), "--max-in-flight", "1"])
        let written = LockedCounter()
        let pad = String(repeating: "x", count: 1000)
        Thread.detachNewThread {
            var id = 0
            while true {
                var chunk = ""
                for _ in 0..<64 {
                    id += 1
                    chunk += #"{"jsonrpc":"2.0","id":\#(id),"method":"tools/list","params":{"pad":"\#(pad)"}}"# + "\n"
                }
                guard (try? bridge.sendRaw(Data(chunk.utf8))) != nil else { return }
                written.add(chunk.utf8.count)
            }
        }
        try await Task.sleep(for: .seconds(3))
        let first = written.value
        try await Task.sleep(for: .seconds(1))
        let second = written.value
        let rss = LoadHost.sample(bridge.process.processIdentifier, answered: 0)?.rssKiB ?? 0
        bridge.process.terminate()
        #expect(first < 16 << 20, "the host wrote \(first) bytes: the bridge kept reading")
        #expect(second == first, "still reading after 3 s: \(first) then \(second) bytes")
        if TestEnvironment.measuresMemory { #expect(rss < 96 * 1024, "VmRSS \(rss) KiB") }
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

/// A count shared between a writer thread and the test.
private final class LockedCounter: @unchecked Sendable {
    private let lock = NSLock()
    private var total = 0

    func add(_ count: Int) {
        lock.withLock { total += count }
    }

    var value: Int {
        lock.withLock { total }
    }
}
