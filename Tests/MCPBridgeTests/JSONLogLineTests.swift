import Foundation
import Logging
import Synchronization
import Testing

@testable import MCPBridge

/// `--log-format json` lines: valid JSON whatever the text, the documented keys, secrets masked.
struct JSONLogLineTests {
    private func parse(_ line: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }

    @Test func hostileTextStaysOneValidJSONLine() throws {
        let nasty = "line\nbreak \"quoted\" back\\slash \u{1B}[31mred\u{2028}sep\t"
        let line = JSONLogLine.format(level: .warning, message: nasty, metadata: ["body": "\(nasty)"],
                                      timestamp: "2026-12-03T14:08:27.123Z")
        #expect(!line.contains("\n") && !line.contains("\u{1B}") && !line.contains("\u{2028}"))
        let object = try parse(line)
        #expect(object["msg"] as? String == nasty)
        #expect(object["body"] as? String == nasty)
        #expect(object["level"] as? String == "warning")
        #expect(object["ts"] as? String == "2026-12-03T14:08:27.123Z")
    }

    @Test func numbersListsAndMapsKeepTheirShape() throws {
        let object = try parse(JSONLogLine.format(level: .info, message: "m", metadata: [
            "count": .stringConvertible(3), "ms": .stringConvertible(1.5), "text": "3",
            "list": ["a", "b"], "map": ["k": .stringConvertible(1)],
            "mcp.id": .stringConvertible(RawJSONValue(json: #""abc""#)),
        ]))
        #expect(object["count"] as? Int == 3)
        #expect(object["ms"] as? Double == 1.5)
        #expect(object["text"] as? String == "3")
        #expect(object["list"] as? [String] == ["a", "b"])
        #expect(object["map"] as? [String: Int] == ["k": 1])
        #expect(object["mcp.id"] as? String == "abc")
    }

    @Test func metadataCannotShadowTheFixedKeys() throws {
        let object = try parse(JSONLogLine.format(level: .info, message: "real", metadata: ["msg": "fake", "ts": "x"]))
        #expect(object["msg"] as? String == "real")
        #expect(object["meta.msg"] as? String == "fake")
        #expect(object["meta.ts"] as? String == "x")
    }

    @Test func rememberedSecretsAreMaskedInEveryString() throws {
        let secret = "json-line-secret-\(UInt64.random(in: 0...UInt64.max))"
        SecretValues.shared.remember(token: secret)
        let line = JSONLogLine.format(level: .error, message: "server said \(secret)", metadata: [
            "body": "Bearer \(secret)", "nested": ["inner": "\(secret)"],
        ])
        #expect(!line.contains(secret), "\(line)")
        let object = try parse(line)
        #expect(object["msg"] as? String == "server said ***")
    }

    @Test func theHandlerWritesJSONWhenAskedTo() throws {
        let lines = LockedLines()
        let logger = Logger(label: "test") { _ in
            StderrLogHandler(logLevel: .debug, format: .json) { lines.append($0) }
        }
        logger.debug("hello", metadata: ["mcp.method": "ping"])
        let object = try parse(try #require(lines.all.first))
        #expect(object["msg"] as? String == "hello")
        #expect(object["level"] as? String == "debug")
        #expect(object["mcp.method"] as? String == "ping")
    }
}

/// Lines collected from any thread.
private final class LockedLines: Sendable {
    private let storage = Mutex<[String]>([])
    var all: [String] { storage.withLock { $0 } }
    func append(_ line: String) { storage.withLock { $0.append(line) } }
}
