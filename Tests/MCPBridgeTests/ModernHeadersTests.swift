import BridgeHTTP
import Testing

@testable import MCPBridge

/// 2026-07-28 header rules: value encoding and which `x-mcp-header` annotations are valid.
struct ModernHeadersTests {
    @Test(arguments: [
        ("eu-west", "eu-west"),
        ("with inner space", "with inner space"),
        ("Zürich", "=?base64?WsO8cmljaA==?="),
        (" lead", "=?base64?IGxlYWQ=?="),
        ("trail ", "=?base64?dHJhaWwg?="),
        ("tab\there", "=?base64?dGFiCWhlcmU=?="),
        ("=?base64?abc?=", "=?base64?PT9iYXNlNjQ/YWJjPz0=?="),
        ("", ""),
    ])
    func headerValuesAreSentVerbatimOrAsBase64(value: String, encoded: String) {
        #expect(HeaderValueEncoding.encode(value) == encoded)
    }

    @Test(arguments: ["", "f", "fo", "foo", "foob", "fooba", "foobar"])
    func base64MatchesRFC4648Vectors(input: String) {
        let expected = ["": "", "f": "Zg==", "fo": "Zm8=", "foo": "Zm9v", "foob": "Zm9vYg==", "fooba": "Zm9vYmE=",
                        "foobar": "Zm9vYmFy"]
        #expect(HeaderValueEncoding.base64(Array(input.utf8)) == expected[input])
    }

    private func schema(_ json: String) throws(ToolHeaderSchema.Invalid) -> ToolHeaderSchema {
        let bytes = Array(json.utf8)
        return try ToolHeaderSchema.read(0..<bytes.count, in: bytes)
    }

    @Test func readsTopLevelAndNestedAnnotations() throws {
        let parsed = try schema(#"{"type":"object","properties":{"region":{"type":"string","x-mcp-header":"Region"},"#
            + #""opts":{"type":"object","properties":{"dry":{"type":"boolean","x-mcp-header":"Dry-Run"}}}}}"#)
        #expect(Set(parsed.parameters.map(\.token)) == ["Region", "Dry-Run"])
        #expect(parsed.parameters.contains { $0.path == ["opts", "dry"] })
    }

    @Test(arguments: [
        #"{"properties":{"a":{"type":"number","x-mcp-header":"A"}}}"#,
        #"{"properties":{"a":{"type":"object","x-mcp-header":"A"}}}"#,
        #"{"properties":{"a":{"type":"string","x-mcp-header":"bad name"}}}"#,
        #"{"properties":{"a":{"type":"string","x-mcp-header":""}}}"#,
        #"{"properties":{"a":{"type":"string","x-mcp-header":"X"},"b":{"type":"string","x-mcp-header":"x"}}}"#,
        #"{"properties":{"a":{"type":"array","items":{"type":"string","x-mcp-header":"A"}}}}"#,
        #"{"anyOf":[{"properties":{"a":{"type":"string","x-mcp-header":"A"}}}]}"#,
        #"{"type":"string","x-mcp-header":"Root"}"#,
    ])
    func invalidAnnotationsAreRejected(json: String) {
        #expect(throws: ToolHeaderSchema.Invalid.self) { try schema(json) }
    }

    @Test func paramHeadersRenderStringsIntegersAndBooleans() throws {
        let parsed = try schema(#"{"properties":{"r":{"type":"string","x-mcp-header":"R"},"#
            + #""n":{"type":"integer","x-mcp-header":"N"},"b":{"type":"boolean","x-mcp-header":"B"},"#
            + #""z":{"type":"string","x-mcp-header":"Z"}}}"#)
        let arguments = Array(#"{"r":"é","n":42,"b":false,"z":null}"#.utf8)
        let headers = parsed.headers(arguments: 0..<arguments.count, in: arguments)
        let byName = Dictionary(uniqueKeysWithValues: headers.map { ($0.name, $0.value) })
        #expect(byName == ["Mcp-Param-R": "=?base64?w6k=?=", "Mcp-Param-N": "42", "Mcp-Param-B": "false"])
    }
}
