import MCPBridge
import Testing

/// The parse under every edit: strict JSON for most hosts, JSONC for VS Code, values located by byte range.
@Suite("JSONC parser")
struct JSONCParserTests {
    @Test func valuesAreLocatedAndStringsDecoded() throws {
        let bytes = Array(#"{"a\u00e9": [1, -2.5e3, true, null, "x\"y"], "b": {}}"#.utf8)
        let root = try #require(try JSONCParser.parse(bytes, allowsComments: false))
        #expect(root.range == 0..<bytes.count)
        let a = try #require(root.member("aé"))
        #expect(text(a.keyRange, in: bytes) == #""a\u00e9""#)
        #expect(a.value.elements?.map { text($0.range, in: bytes) } == ["1", "-2.5e3", "true", "null", #""x\"y""#])
        #expect(a.value.elements?.last?.string == "x\"y")
        #expect(root.member("b")?.value.members == [])
    }

    /// What VS Code accepts in `mcp.json`, and a byte order mark, which any host's file may start with.
    @Test(arguments: [
        "// c\n{\"a\": 1}",
        "{/* c */\"a\": /* c */ 1 /* c */}",
        "{\"a\": [1, 2,],}",
        "{\"a\": 1} // end",
        "\u{FEFF}{\"a\": 1}",
    ])
    func jsoncExtensionsAreAcceptedForVSCode(text: String) throws {
        let root = try #require(try JSONCParser.parse(Array(text.utf8), allowsComments: true))
        #expect(root.member("a") != nil)
    }

    @Test(arguments: [
        ("// c\n{\"a\": 1}", "a comment (not allowed in JSON)"),
        ("{\"a\": [1, 2,]}", "trailing comma (not allowed in JSON)"),
        ("{\"a\": 1,}", "trailing comma (not allowed in JSON)"),
        ("{\"a\": 1} x", "content after the top-level value"),
        ("{\"a\" 1}", "expected ':' after the key \"a\""),
        ("{\"a\": 1 \"b\": 2}", "unexpected '\"'; expected ',' or '}'"),
        ("{\"a\": tru}", "unexpected end of input"),
        ("{\"a\": \"x\ny\"}", "unescaped control character in string"),
        ("{a: 1}", "expected a key in quotes"),
        ("{\"a\": [1}", "unexpected '}'; expected ',' or ']'"),
        ("{\"a\": \"unterminated}", "unterminated string"),
    ])
    func strictJSONRefusesWithAReason(text: String, reason: String) {
        #expect(throws: JSONCSyntaxError.self) { try JSONCParser.parse(Array(text.utf8), allowsComments: false) }
        do {
            _ = try JSONCParser.parse(Array(text.utf8), allowsComments: false)
        } catch {
            #expect(error.message == reason, "\(text)")
        }
    }

    @Test func anUnterminatedCommentAndDeepNestingAreRefused() throws {
        #expect(throws: JSONCSyntaxError.self) { try JSONCParser.parse(Array("{} /* x".utf8), allowsComments: true) }
        let deep = String(repeating: "[", count: 300) + String(repeating: "]", count: 300)
        #expect(throws: JSONCSyntaxError.self) { try JSONCParser.parse(Array(deep.utf8), allowsComments: false) }
        #expect(try JSONCParser.parse(Array(" \n ".utf8), allowsComments: false) == nil, "empty: nothing to keep")
    }

    @Test func lineAndColumnCountCharacters() {
        let bytes = Array("{\n  \"é\": ,".utf8)
        #expect(ConfigDocument.lineAndColumn(of: bytes.count - 1, in: bytes) == (2, 8))
    }
}
