import Foundation
import Testing

@testable import BridgeWire
@testable import MCPBridge

/// The bridge's own answers must be valid JSON-RPC that echoes the request's id exactly.
struct ErrorResponseTests {
    private func decode(_ line: [UInt8]) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(line)) as? [String: Any])
    }

    @Test(arguments: [
        (RequestID.number("7"), "7"),
        (RequestID.number("-1.5e3"), "-1.5e3"),
        (RequestID.string("abc"), #""abc""#),
        (RequestID.string("quote\"back\\slash\nnl\u{1}"), #""quote\"back\\slash\u000anl\u0001""#),
    ])
    func errorEchoesTheIDVerbatim(id: RequestID, json: String) throws {
        let line = ErrorResponse.line(id: id, error: BridgeError(.streamEnded, "gone"))
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.contains(#""id":\#(json),"#))
        let message = try decode(line)
        #expect(message["jsonrpc"] as? String == "2.0")
        let error = try #require(message["error"] as? [String: Any])
        #expect(error["code"] as? Int == -32005)
        #expect((error["data"] as? [String: Any])?["source"] as? String == "mcp-bridge")
    }

    @Test func nullIDAndMessageEscaping() throws {
        let line = ErrorResponse.line(id: nil, code: -32700, message: "bad \"line\"\twith\ttabs")
        let message = try decode(line)
        #expect(message["id"] is NSNull)
        #expect((message["error"] as? [String: Any])?["message"] as? String == "bad \"line\"\twith\ttabs")
        #expect(!line.contains(0x0A))
    }

    @Test func httpStatusAndBodyExcerptGoInData() throws {
        let body = Array(repeating: UInt8(ascii: "x"), count: 5000)
        let line = ErrorResponse.line(id: .number("1"), error: .httpStatus(500, body: body))
        let data = try #require((try decode(line)["error"] as? [String: Any])?["data"] as? [String: Any])
        #expect(data["httpStatus"] as? Int == 500)
        let excerpt = try #require(data["body"] as? String)
        #expect(excerpt.utf8.count <= 1024 + 3)
        #expect(excerpt.hasSuffix("…"))
    }

    @Test func excerptNeverSplitsAUTF8Character() {
        let body = Array(String(repeating: "é", count: 600).utf8)  // 2 bytes each: 1200 bytes
        let excerpt = BridgeError.excerpt(body)
        #expect(!excerpt.contains("\u{FFFD}"))
        #expect(excerpt.hasSuffix("…"))
    }

    @Test(arguments: [(401, -32009), (403, -32009), (404, -32004), (500, -32004), (503, -32004)])
    func httpStatusesMapToDocumentedCodes(status: Int, code: Int) {
        #expect(BridgeError.httpStatus(status, body: []).code.rawValue == code)
    }

    @Test func codesStayInTheImplementationRangeAndAvoidResourceNotFound() {
        for code in BridgeError.Code.allCases {
            #expect((-32019)...(-32000) ~= code.rawValue)
            #expect(code.rawValue != -32002)
        }
        #expect(Set(BridgeError.Code.allCases.map(\.rawValue)).count == BridgeError.Code.allCases.count)
    }

    @Test func outputLineTurnsRawNewlinesIntoSpacesOnly() {
        let pretty = Array("{\r\n  \"a\": \"x\\ny\"\n}".utf8)
        let flat = OutputLine.flatten(pretty)
        #expect(String(decoding: flat, as: UTF8.self) == "{    \"a\": \"x\\ny\" }")
        #expect(flat.count == pretty.count)
    }
}
