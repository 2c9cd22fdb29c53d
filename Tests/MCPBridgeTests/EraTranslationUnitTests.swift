import Testing

@testable import BridgeWire
@testable import MCPBridge

/// The byte-level pieces of era translation: splicing `_meta` and retry members into a host's own bytes, reading
/// `input_required` results and discover results.
struct EraTranslationUnitTests {
    private func splice(_ text: String, meta: String = #""k":1"#) -> String? {
        MessageSplice.addingMeta(meta, to: Array(text.utf8)).map { String(decoding: $0, as: UTF8.self) }
    }

    @Test(arguments: [
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/list"}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"k":1}}}"#),
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"k":1}}}"#),
        (#"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{ }}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"tools/list","params":{"_meta":{"k":1} }}"#),
        (#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":2}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"k":1},"a":2}}"#),
        (#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":2,"_meta":{"progressToken":"p"}}}"#,
         #"{"jsonrpc":"2.0","id":1,"method":"x","params":{"a":2,"_meta":{"k":1,"progressToken":"p"}}}"#),
        (#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{}}} "#,
         #"{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":{"k":1}}} "#),
    ])
    func metaIsSplicedInLeavingEveryOtherByte(input: String, expected: String) throws {
        let output = try #require(splice(input))
        #expect(output == expected)
        #expect(throws: Never.self) { try Envelope.classify(Array(output.utf8)) }
    }

    @Test func paramsThatAreNotAnObjectAreRefused() {
        #expect(splice(#"{"jsonrpc":"2.0","id":1,"method":"x","params":[1]}"#) == nil)
        #expect(splice(#"{"jsonrpc":"2.0","id":1,"method":"x","params":{"_meta":5}}"#) == nil)
    }

    @Test func retryMembersAndANewIDKeepTheHostsArguments() throws {
        let base = Array(#"{"jsonrpc":"2.0","id":7,"method":"tools/call","params":{"name":"a","arguments":{"x":"é"}}}"#.utf8)
        let added = try #require(MessageSplice.addingParams(#""inputResponses":{"q":{"action":"accept"}}"#, to: base))
        let renamed = try #require(MessageSplice.replacingID(in: added, with: .string("r-1")))
        #expect(String(decoding: renamed, as: UTF8.self) == #"{"jsonrpc":"2.0","id":"r-1","method":"tools/call","#
            + #""params":{"inputResponses":{"q":{"action":"accept"}},"name":"a","arguments":{"x":"é"}}}"#)
    }

    private func message(_ text: String) throws -> ServerMessage {
        let bytes = Array(text.utf8)
        return ServerMessage(bytes: bytes, envelope: try Envelope.classify(bytes))
    }

    @Test func anInputRequiredResultBecomesHostRequests() throws {
        let reply = try message(#"{"jsonrpc":"2.0","id":3,"result":{"resultType":"input_required","inputRequests":{"#
            + #""ask":{"method":"elicitation/create","params":{"message":"Name?"}},"roots":{"method":"roots/list"}},"#
            + #""requestState":"opaque\"state"}}"#)
        let input = try #require(InputRequired(reply))
        #expect(input.questions.map(\.key) == ["ask", "roots"])
        #expect(input.questions.map(\.method) == ["elicitation/create", "roots/list"])
        let state = try #require(input.requestState)
        #expect(String(decoding: reply.bytes[state], as: UTF8.self) == #""opaque\"state""#)
        let first = InputRequired.hostRequest(input.questions[0], id: .string("mcp-bridge-input-1"), in: reply.bytes)
        #expect(String(decoding: first, as: UTF8.self) == #"{"jsonrpc":"2.0","id":"mcp-bridge-input-1","#
            + #""method":"elicitation/create","params":{"message":"Name?"}}"#)
        #expect(throws: Never.self) { try Envelope.classify(first) }
    }

    @Test(arguments: [
        #"{"jsonrpc":"2.0","id":3,"result":{"content":[]}}"#,
        #"{"jsonrpc":"2.0","id":3,"result":{"resultType":"complete","content":[]}}"#,
        #"{"jsonrpc":"2.0","id":3,"error":{"code":-32603,"message":"input_required"}}"#,
    ])
    func otherResultsAreFinal(text: String) throws {
        #expect(InputRequired(try message(text)) == nil)
    }

    @Test func aDiscoverResultDescribesTheServerForALegacyHost() throws {
        let reply = try message(#"{"jsonrpc":"2.0","id":"d","result":{"supportedVersions":["2026-07-28"],"#
            + #""capabilities":{"tools":{"listChanged":true},"prompts":{}},"instructions":"Be nice","#
            + #""_meta":{"io.modelcontextprotocol/serverInfo":{"name":"s","version":"1"}}}}"#)
        let facts = try #require(DiscoverFacts(reply))
        #expect(facts.version == "2026-07-28")
        #expect(facts.capability("tools", "listChanged"))
        #expect(!facts.capability("prompts", "listChanged"))
        #expect(facts.serverInfoJSON == #"{"name":"s","version":"1"}"#)
        #expect(facts.instructionsJSON == #""Be nice""#)
    }

    @Test func aDiscoverResultWithoutAModernVersionIsNoModernEvidence() throws {
        let legacyOnly = try message(#"{"jsonrpc":"2.0","id":"d","result":{"supportedVersions":["2025-06-18"]}}"#)
        #expect(DiscoverFacts(legacyOnly) == nil)
        let notDiscover = try message(#"{"jsonrpc":"2.0","id":"d","result":{"tools":[]}}"#)
        #expect(DiscoverFacts(notDiscover) == nil)
    }

    @Test func aLegacyHostsInitializeBecomesEveryRequestsMeta() {
        let profile = HostProfile()
        profile.adopt(initialize: Array(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"#
            .utf8) + Array(#""protocolVersion":"2025-06-18","capabilities":{"elicitation":{}},"#.utf8)
            + Array(#""clientInfo":{"name":"h","version":"2"}}}"#.utf8))
        #expect(profile.negotiatedVersion == "2025-06-18")
        #expect(profile.metaMembers(version: "2026-07-28") == #""io.modelcontextprotocol/protocolVersion":"2026-07-28","#
            + #""io.modelcontextprotocol/clientCapabilities":{"elicitation":{}},"#
            + #""io.modelcontextprotocol/clientInfo":{"name":"h","version":"2"},"#
            + #""io.modelcontextprotocol/logLevel":"debug""#)
        profile.setLogLevel("warning")
        #expect(profile.metaMembers(version: "2026-07-28").hasSuffix(#""io.modelcontextprotocol/logLevel":"warning""#))
    }

    @Test func anUnknownHostVersionIsAnsweredWithTheNewestKnownOne() {
        let profile = HostProfile()
        profile.adopt(initialize: Array(#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2030-01-01"}}"#.utf8))
        #expect(profile.negotiatedVersion == ProtocolVersions.latestHandshake)
    }
}
