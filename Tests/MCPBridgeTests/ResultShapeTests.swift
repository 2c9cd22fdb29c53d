import Testing

@testable import BridgeWire
@testable import MCPBridge

/// Results that cross eras get what the receiving era's schema requires, as splices of the server's bytes.
@Suite("Result shape across eras")
struct ResultShapeTests {
    static func message(_ text: String) throws -> ServerMessage {
        let bytes = Array(text.utf8)
        return ServerMessage(bytes: bytes, envelope: try Envelope.classify(bytes))
    }

    static func text(_ message: ServerMessage) -> String { String(decoding: message.bytes, as: UTF8.self) }

    @Test func aLegacyResultGetsResultTypeAndCacheHintsForAModernHost() throws {
        let list = try Self.message(#"{"jsonrpc":"2.0","id":7,"result":{"tools":[{"name":"a b"}]}}"#)
        #expect(Self.text(ResultShape.forModernHost(list, method: "tools/list"))
            == #"{"jsonrpc":"2.0","id":7,"result":{"resultType":"complete","ttlMs":0,"cacheScope":"private","#
            + #""tools":[{"name":"a b"}]}}"#)
        let call = try Self.message(#"{"jsonrpc":"2.0","id":8,"result":{ }}"#)
        #expect(Self.text(ResultShape.forModernHost(call, method: "tools/call"))
            == #"{"jsonrpc":"2.0","id":8,"result":{"resultType":"complete" }}"#)
        let kept = try Self.message(#"{"jsonrpc":"2.0","id":9,"result":{"resultType":"complete","ttlMs":5,"#
            + #""cacheScope":"public","contents":[]}}"#)
        #expect(ResultShape.forModernHost(kept, method: "resources/read").bytes == kept.bytes, "what the server said stays")
        let error = try Self.message(#"{"jsonrpc":"2.0","id":10,"error":{"code":-1,"message":"x"}}"#)
        #expect(ResultShape.forModernHost(error, method: "tools/list").bytes == error.bytes)
    }

    @Test func aModernResultLosesTheModernOnlyMembersForALegacyHost() throws {
        let modern = try Self.message(#"{"jsonrpc":"2.0","id":1,"result":{"resultType":"complete", "tools":[{"name":"x","#
            + #""inputSchema":{"type":"object"}}],"ttlMs":0,"cacheScope":"private","#
            + #""_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s"}}}}"#)
        #expect(Self.text(ResultShape.forLegacyHost(modern))
            == #"{"jsonrpc":"2.0","id":1,"result":{"tools":[{"name":"x","inputSchema":{"type":"object"}}]}}"#)
        let otherMeta = try Self.message(#"{"jsonrpc":"2.0","id":2,"result":{"content":[],"#
            + #""_meta":{"io.modelcontextprotocol/serverInfo":{},"k\"ey":1}}}"#)
        #expect(Self.text(ResultShape.forLegacyHost(otherMeta))
            == #"{"jsonrpc":"2.0","id":2,"result":{"content":[],"_meta":{"k\"ey":1}}}"#)
        let plain = try Self.message(#"{"jsonrpc":"2.0","id":3,"result":{"content":[]}}"#)
        #expect(ResultShape.forLegacyHost(plain).bytes == plain.bytes)
    }

    @Test func removingMembersKeepsEveryOtherMembersBytes() throws {
        let bytes = Array(#"{"result":{ "a" : 1 ,"b\\":"x\"y", "c":[1, 2] }}"#.utf8)
        let removed = try #require(MessageSplice.removingMembers(["a"], atPath: ["result"], in: bytes))
        #expect(String(decoding: removed, as: UTF8.self) == #"{"result":{"b\\":"x\"y","c":[1, 2]}}"#)
        #expect(MessageSplice.removingMembers(["zz"], atPath: ["result"], in: bytes) == nil)
    }

    @Test func aModernRequestLosesOnlyItsEnvelopeOnTheWayToALegacyServer() {
        func shaped(_ text: String) -> String {
            String(decoding: RequestShape.forLegacyServer(Array(text.utf8)), as: UTF8.self)
        }
        let envelope = #""io.modelcontextprotocol/protocolVersion":"2026-07-28","#
            + #""io.modelcontextprotocol/clientCapabilities":{},"io.modelcontextprotocol/clientInfo":{"name":"h"}"#
        #expect(shaped(#"{"id":1,"method":"tools/call","params":{"_meta":{"#
            + envelope + #","progressToken":7},"name":"x"}}"#)
            == #"{"id":1,"method":"tools/call","params":{"_meta":{"progressToken":7},"name":"x"}}"#)
        #expect(shaped(#"{"id":2,"method":"tools/list","params":{"_meta":{"# + envelope + "}}}")
            == #"{"id":2,"method":"tools/list","params":{}}"#)
        let plain = #"{"id":3,"method":"ping","params":{"_meta":{"progressToken":1}}}"#
        #expect(shaped(plain) == plain)
    }
}
