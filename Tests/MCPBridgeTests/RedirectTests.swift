import Testing

@testable import MCPBridge

/// Where a `Location` header leads, and whether the bridge may follow it with the user's headers.
struct RedirectTests {
    @Test(arguments: [
        ("/mcp", "https://h.example/a/b", Redirect.Target.sameOrigin("https://h.example/mcp")),
        ("next", "https://h.example/a/b", .sameOrigin("https://h.example/a/next")),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/y", .sameOrigin("http://127.0.0.1:8000/x")),
        ("https://evil.example/mcp", "https://h.example/mcp", .otherOrigin("https://evil.example/mcp")),
        ("http://h.example/mcp", "https://h.example/mcp", .otherOrigin("http://h.example/mcp")),
        ("//evil.example/mcp", "https://h.example/mcp", .otherOrigin("//evil.example/mcp")),
        ("https://h.example:8443/mcp", "https://h.example/mcp", .otherOrigin("https://h.example:8443/mcp")),
        ("", "https://h.example/mcp", .invalid),
    ])
    func locationsResolveAndOnlySameOriginIsFollowed(location: String, current: String, target: Redirect.Target) {
        #expect(Redirect.resolve(location, against: current) == target)
    }
}
