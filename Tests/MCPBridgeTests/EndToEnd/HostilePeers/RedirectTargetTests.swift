import Foundation
import Testing

/// A redirect's `Location` is resolved as RFC 3986 says: an absolute URI of any scheme but http(s) is refused (and
/// never becomes the endpoint), a relative reference is resolved against the URL that was redirected.
@Suite("Hostile peers: redirect targets", .serialized)
struct RedirectTargetTests {
    static let otherSchemes = [
        "file:///etc/passwd", "gopher://127.0.0.1:1/x", "data:application/json,{}", "javascript:alert(1)",
        "ftp://127.0.0.1/mcp", "localhost:8000/mcp", "FILE:/etc/passwd",
    ]

    @Test(arguments: Array(otherSchemes.enumerated()))
    func anotherSchemeIsRefusedAndTheEndpointStays(_ index: Int, _ location: String) async throws {
        let encoded = location.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? location
        let peer = try await HostilePeer("scheme-\(index)", query: "fault=redirect&to=\(encoded)")
        try await peer.handshake()
        try peer.request(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#), id: .int(2))
        let answer = try await peer.response(to: .int(2))
        #expect(answer.errorCode == -32004, "\(answer)")
        #expect(answer.errorMessage?.contains("http(s)") == true, "\(answer)")
        try await peer.finish()
        // The ping after the refused redirect still went to the configured endpoint.
        let pings = try peer.log().filter { ($0["body"] as? String)?.contains(#""alive""#) == true }
        #expect(pings.count == 1, "\(pings)")
    }

    @Test(arguments: [("./moved-a", "/h/moved-a"), ("../h/moved-b?x=1", "/h/moved-b"), ("/h/./moved-c", "/h/moved-c")])
    func aRelativeReferenceResolvesAgainstTheRequestURL(_ location: String, _ path: String) async throws {
        let encoded = location.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? location
        let peer = try await HostilePeer("relative-\(path.dropFirst(3))", query: "fault=redirect&to=\(encoded)")
        try await peer.handshake()
        try peer.request(Messages.request(id: .int(2), method: "tools/call", params: #"{"name":"x"}"#), id: .int(2))
        let answer = try await peer.response(to: .int(2))
        #expect(answer.result?["echo"] as? String == "tools/call", "\(answer)")
        try await peer.finish()
        let moved = try FaultTools.log(of: peer.server).filter { $0["path"] as? String == path }
        #expect(moved.contains { ($0["body"] as? String)?.contains(#""alive""#) == true },
                "the endpoint did not move to \(path): \(moved)")
    }
}
