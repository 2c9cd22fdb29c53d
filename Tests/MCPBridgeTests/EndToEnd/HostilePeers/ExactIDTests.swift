import Foundation
import Testing

/// Ids are bytes: the answer's `id` is the host's exact text, whatever the server echoes (another spelling of the
/// same string, or lone surrogates replaced by U+FFFD, as a server that decodes ids into real strings does).
@Suite("Hostile peers: the host's exact id bytes", .serialized)
struct ExactIDTests {
    static let ids = [
        #""\ud800""#, #""\udfff""#, #""a\ud800b""#, #""\ud800\ud800""#, #""\u0041""#, #""\u00e9""#, #""\/x""#,
        #""\ud83d\ude00""#, #""\uFFFD""#, "1.0", "12345678901234567890",
    ]

    @Test(arguments: ids, ["id-reencode", "id-replace"])
    func theAnswerCarriesTheHostsIDText(_ id: String, _ mode: String) async throws {
        let peer = try await HostilePeer("exact-\(mode)-\(hex(id))", query: "fault=\(mode)")
        try await peer.handshake()
        try peer.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"x"}}"#)
        let line = try await peer.bridge.readLine()
        #expect(line.contains(#""id":\#(id),"#) || line.hasSuffix(#""id":\#(id)}"#), "\(line)")
        #expect(line.contains(#""echo": "tools/call""#), "not the server's answer: \(line)")
        try await peer.finish()
    }

    /// Two lone surrogates a server echoes as the same U+FFFD: each request still gets its own answer, under its id.
    @Test func distinctLoneSurrogatesStayDistinct() async throws {
        let peer = try await HostilePeer("exact-pair", query: "fault=id-replace")
        try await peer.handshake()
        let ids = [#""\ud800""#, #""\udc00""#, #""\ufffd""#]
        for id in ids {
            try peer.send(#"{"jsonrpc":"2.0","id":\#(id),"method":"tools/call","params":{"name":"x"}}"#)
        }
        var lines: [String] = []
        for _ in ids { lines.append(try await peer.bridge.readLine()) }
        for id in ids {
            #expect(lines.count { $0.contains(#""id":\#(id),"#) && $0.contains(#""result""#) } == 1, "\(id): \(lines)")
        }
        try await peer.finish()
    }
}
