import Testing

@testable import BridgeWire
@testable import MCPBridge

/// When `http-first` may switch to the 2024-11-05 transport, the id rewrite of the replayed `initialize`, and the
/// `--transport` spellings.
struct TransportFallbackTests {
    @Test(arguments: [400, 404, 405])
    func aPlainRefusalOfInitializeFallsBack(status: Int) {
        let error = BridgeError.httpStatus(status, body: Array("Method Not Allowed".utf8))
        #expect(TransportSelector.refusesStreamableHTTP(error))
    }

    @Test(arguments: [401, 403, 406, 415, 500, 502, 503])
    func otherStatusesDoNot(status: Int) {
        #expect(!TransportSelector.refusesStreamableHTTP(BridgeError.httpStatus(status, body: [])))
    }

    @Test(arguments: [-32020, -32021, -32022])
    func aModernServersOwnErrorDoesNot(code: Int) {
        let body = #"{"jsonrpc":"2.0","id":null,"error":{"code":\#(code),"message":"modern"}}"#
        #expect(!TransportSelector.refusesStreamableHTTP(BridgeError.httpStatus(400, body: Array(body.utf8))))
    }

    @Test func aLegacyJSONRPCErrorStillFallsBack() {
        let body = #"{"jsonrpc":"2.0","id":"server-error","error":{"code":-32000,"message":"Missing sessionId"}}"#
        #expect(TransportSelector.refusesStreamableHTTP(BridgeError.httpStatus(400, body: Array(body.utf8))))
    }

    @Test func connectionFailuresDoNot() {
        #expect(!TransportSelector.refusesStreamableHTTP(BridgeError.connectFailed("refused")))
    }

    @Test func theReplayedInitializeKeepsEveryByteButItsID() throws {
        let host = #"{ "jsonrpc": "2.0", "id" : 1, "method": "initialize", "params": {"id": 7, "x": "caf\u00e9"} }"#
        let replayed = try #require(MessageSplice.replacingID(in: Array(host.utf8), with: .string("mcp-bridge-reinitialize-2")))
        #expect(String(decoding: replayed, as: UTF8.self)
            == #"{ "jsonrpc": "2.0", "id" : "mcp-bridge-reinitialize-2", "method": "initialize", "params": {"id": 7, "#
            + #""x": "caf\u00e9"} }"#)
    }

    @Test func transportSpellingsAreMcpRemotes() {
        #expect(TransportStrategy.allCases.map(\.rawValue) == ["http-first", "sse-first", "http-only", "sse-only"])
        #expect(TransportStrategy.allCases.filter(\.startsWithSSE) == [.sseFirst, .sseOnly])
        #expect(BridgeConfiguration(serverURL: "https://example.com/mcp").transport == .httpFirst)
    }
}
