import Foundation
import Testing

/// Nothing a server sends is injected into a request header: a session id, an SSE event id or a cookie with a byte
/// outside visible ASCII (0x21–0x7E) is refused, never sent back.
@Suite("Hostile peers: server values in request headers", .serialized)
struct HeaderInjectionTests {
    /// Bytes a header value must not carry: CR (header injection), other controls, space, DEL, non-ASCII.
    static let badValues: [[UInt8]] = [
        Array("s-1\rX-Injected: 1".utf8), [0x73, 0x01, 0x31], Array("s 1".utf8), [0x73, 0x7F], [0x73, 0xC3, 0xA9],
        [0x73, 0x09, 0x31], [0x73, 0xFF],
    ]

    @Test(arguments: Array(badValues.enumerated()))
    func aSessionIDOutsideVisibleASCIIIsRefused(_ index: Int, _ value: [UInt8]) async throws {
        let peer = try await HostilePeer("bad-session-\(index)", query: "sid_hex=\(hex(value))")
        let answer = try await peer.handshake()
        #expect(answer.errorCode == -32006, "\(answer)")
        #expect(answer.errorMessage?.contains("Mcp-Session-Id") == true, "\(answer)")
        try await peer.finish()
        for entry in try peer.log() {
            let headers = entry["headers"] as? [String: String] ?? [:]
            #expect(headers["mcp-session-id"] == nil, "a refused session id was sent back: \(headers)")
            #expect(headers["x-injected"] == nil)
        }
    }

    @Test func aVisibleASCIISessionIDIsKept() async throws {
        let id = "abc-!~{}"
        let peer = try await HostilePeer("good-session", query: "sid_hex=\(hex(id))")
        #expect(try await peer.handshake()["result"] != nil)
        try await peer.finish()
        let sent = try peer.log().compactMap { ($0["headers"] as? [String: String])?["mcp-session-id"] }
        #expect(sent.contains(id), "\(sent)")
    }

    @Test(arguments: Array(badValues.dropFirst().enumerated()))
    func anEventIDOutsideVisibleASCIIIsNotResumedWith(_ index: Int, _ value: [UInt8]) async throws {
        let peer = try await HostilePeer("bad-event-\(index)", query: "fault=bad-event-id&eid_hex=\(hex(value))")
        try await peer.handshake()
        try peer.request(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#), id: .int(2))
        let answer = try await peer.response(to: .int(2))
        // -32012 for a call that may have side effects (the stream was cut after it reached the server).
        #expect([-32005, -32012].contains(answer.errorCode ?? 0), "\(answer)")
        #expect(answer.errorMessage?.contains("Last-Event-ID") == true, "\(answer)")
        try await peer.finish()
        #expect(try peer.log().allSatisfy { $0["event"] as? String != "hostile-resume" })
    }

    /// The control: a well-formed event id is resumed with (the route then refuses the resume).
    @Test func aVisibleASCIIEventIDIsResumedWith() async throws {
        let peer = try await HostilePeer("good-event", query: "fault=bad-event-id&eid_hex=\(hex("ev-1"))")
        try await peer.handshake()
        try peer.request(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#), id: .int(2))
        _ = try await peer.response(to: .int(2))
        try await peer.finish()
        let resumes = try peer.log().filter { $0["event"] as? String == "hostile-resume" }
        #expect(resumes.first?["lastEventId"] as? String == "ev-1", "\(resumes)")
    }

    /// Cookies as the server sets them, and whether the bridge may send them back.
    static let cookies: [(cookie: [UInt8], kept: Bool)] = [
        (Array("c=a\u{01}b".utf8), false), (Array("c=a\u{7F}".utf8), false), (Array("c=\u{E9}".utf8), false),
        (Array("c=ok".utf8), true),
    ]

    @Test(arguments: cookies)
    func aCookieOutsideVisibleASCIIIsNotSentBack(_ cookie: [UInt8], _ kept: Bool) async throws {
        let peer = try await HostilePeer("cookie-\(hex(cookie))", query: "cookie_hex=\(hex(cookie))")
        try await peer.handshake()
        try await peer.finish()
        let sent = try peer.log().compactMap { ($0["headers"] as? [String: String])?["cookie"] }
        if kept {
            #expect(sent.contains("c=ok"), "\(sent)")
        } else {
            #expect(sent.isEmpty, "a cookie with bytes outside visible ASCII was sent back: \(sent)")
        }
    }
}
