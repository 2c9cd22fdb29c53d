import Logging
import Synchronization
import Testing

@testable import MCPBridge

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

struct StderrLogHandlerTests {
    /// Collects lines from any thread.
    final class Capture: Sendable {
        private let storage = Mutex<[String]>([])
        var lines: [String] { storage.withLock { $0 } }

        func logger(level: Logger.Level = .trace, metadataProvider: Logger.MetadataProvider? = nil) -> Logger {
            Logger(label: "test") { _ in
                StderrLogHandler(logLevel: level, metadataProvider: metadataProvider) { line in
                    self.storage.withLock { $0.append(line) }
                }
            }
        }
    }

    @Test(arguments: [
        (Logger.Level.trace, "mcp-bridge: hello"),
        (.debug, "mcp-bridge: hello"),
        (.info, "mcp-bridge: hello"),
        (.notice, "mcp-bridge: hello"),
        (.warning, "mcp-bridge: warning: hello"),
        (.error, "mcp-bridge: error: hello"),
        (.critical, "mcp-bridge: critical: hello"),
    ])
    func prefixesEveryLineAndNamesSeriousLevels(level: Logger.Level, expected: String) {
        let capture = Capture()
        capture.logger().log(level: level, "hello")
        #expect(capture.lines == [expected])
    }

    @Test func rendersMetadataSortedByKeyAfterTheMessage() {
        let capture = Capture()
        var logger = capture.logger()
        logger[metadataKey: "z.handler"] = "h"
        logger[metadataKey: "b.override"] = "from-handler"
        logger.info("connected", metadata: ["http.status": "200", "b.override": "from-call", "a.count": "\(3)"])
        #expect(capture.lines == ["mcp-bridge: connected a.count=3 b.override=from-call http.status=200 z.handler=h"])
    }

    @Test func includesMetadataProviderValues() {
        let capture = Capture()
        let provider = Logger.MetadataProvider { ["mcp.session_id": "s1"] }
        capture.logger(metadataProvider: provider).info("x")
        #expect(capture.lines == ["mcp-bridge: x mcp.session_id=s1"])
    }

    @Test(arguments: [
        (Logger.MetadataValue.string("a b"), "k=\"a b\""),
        (.string(""), "k=\"\""),
        (.string("say \"hi\""), "k=\"say \\\"hi\\\"\""),
        (.string("x=y"), "k=\"x=y\""),
        (.string("line1\nline2"), "k=line1\\nline2"),
        (.array(["a", "b"]), "k=\"[a, b]\""),
        (.dictionary(["b": "2", "a": "1"]), "k=\"[a: 1, b: 2]\""),
    ])
    func quotesAndEscapesMetadataValues(value: Logger.MetadataValue, rendered: String) {
        let capture = Capture()
        capture.logger().info("m", metadata: ["k": value])
        #expect(capture.lines == ["mcp-bridge: m " + rendered])
    }

    @Test(arguments: [
        ("two\nlines", "two\\nlines"),
        ("crlf\r\nforged: line", "crlf\\r\\nforged: line"),
        ("tab\there", "tab\\there"),
        ("\u{1B}[31mred", "\\u{1b}[31mred"),
        ("sep\u{2028}x", "sep\\u{2028}x"),
        ("unicode ok: grüße ✓", "unicode ok: grüße ✓"),
    ])
    func keepsEveryEventOnOneLine(message: String, escaped: String) {
        let capture = Capture()
        capture.logger().warning("\(message)")
        #expect(capture.lines == ["mcp-bridge: warning: " + escaped])
    }

    @Test func respectsTheLogLevel() {
        let capture = Capture()
        let logger = capture.logger(level: LogVerbosity.normal.logLevel)
        logger.debug("hidden")
        logger.info("startup")
        logger.warning("careful")
        #expect(capture.lines == ["mcp-bridge: startup", "mcp-bridge: warning: careful"])
    }

    @Test func concurrentLoggingProducesWholeLines() async {
        let capture = Capture()
        let logger = capture.logger()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<200 { logger.info("task \(task) line \(index)", metadata: ["t": "\(task)"]) }
                }
            }
        }
        let lines = capture.lines
        #expect(lines.count == 1600)
        #expect(lines.allSatisfy { $0.hasPrefix("mcp-bridge: task ") && !$0.contains("\n") })
    }

    /// The default sink's write path: concurrent writers into one descriptor must leave intact, complete lines.
    @Test func writeLineNeverInterleaves() async throws {
        var template = Array("/tmp/mcp-bridge-log-XXXXXX".utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.map { mkstemp($0) } ?? -1
        }
        try #require(descriptor >= 0)
        defer {
            close(descriptor)
            template.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
        }
        let long = String(repeating: "x", count: 10_000)
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<4 {
                group.addTask {
                    for index in 0..<50 { StderrLogHandler.writeLine("\(task):\(index):\(long)", to: descriptor) }
                }
            }
        }
        let contents = try readAll(descriptor)
        let lines = contents.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 201)
        #expect(lines.last == "")
        #expect(lines.dropLast().allSatisfy { $0.hasSuffix(":" + long) && $0.split(separator: ":").count == 3 })
    }

    private func readAll(_ descriptor: Int32) throws -> String {
        lseek(descriptor, 0, SEEK_SET)
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            try #require(count >= 0)
            if count == 0 { break }
            bytes += buffer[..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: [
        (false, false, LogVerbosity.normal, Logger.Level.info),
        (true, false, .debug, .debug),
        (false, true, .silent, .error),
        (true, true, .debug, .debug),
    ])
    func verbosityMapsFlagsToLevels(debug: Bool, silent: Bool, verbosity: LogVerbosity, level: Logger.Level) {
        let resolved = LogVerbosity(debug: debug, silent: silent)
        #expect(resolved == verbosity)
        #expect(resolved.logLevel == level)
    }
}
