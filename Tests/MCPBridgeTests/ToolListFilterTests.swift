import Foundation
import Testing

@testable import BridgeWire
@testable import MCPBridge

/// `--ignore-tool` rewrites only the tools array; every other byte of the server's message stays as it was.
struct ToolListFilterTests {
    private let response = #"{"jsonrpc":"2.0","id":2,"result":{"tools":[{"name":"list_indices","x":[1,2]},"#
        + #" {"name":"Echo"} ,{"name":"whoami","inputSchema":{"type":"object"}}],"nextCursor":"c\n1"}}"#

    private func filtered(_ patterns: [String]) throws -> String {
        let bytes = Array(response.utf8)
        let message = ServerMessage(bytes: bytes, envelope: try Envelope.classify(bytes))
        return String(decoding: ToolListFilter.removing(ToolFilter(patterns: patterns), from: message), as: UTF8.self)
    }

    private func names(_ text: String) throws -> [String] {
        let object = try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        let tools = try #require((object["result"] as? [String: Any])?["tools"] as? [[String: Any]])
        return tools.compactMap { $0["name"] as? String }
    }

    @Test func hidesMatchingToolsAndKeepsTheRestByteForByte() throws {
        let text = try filtered(["list_*", "ECHO"])
        #expect(try names(text) == ["whoami"])
        #expect(text.hasPrefix(#"{"jsonrpc":"2.0","id":2,"result":{"tools":["#))
        #expect(text.hasSuffix(#"],"nextCursor":"c\n1"}}"#))
        #expect(text.contains(#"{"name":"whoami","inputSchema":{"type":"object"}}"#))
    }

    @Test func noMatchLeavesTheMessageUntouched() throws {
        #expect(try filtered(["nothing*"]) == response)
    }

    @Test func hidingEverythingLeavesAnEmptyArray() throws {
        let text = try filtered(["*"])
        #expect(try names(text).isEmpty)
        #expect(text.contains(#""tools":[]"#))
    }
}
