import BridgeHTTP
import Testing

@testable import MCPBridge

/// Where a `Location` header leads (RFC 3986 §5), and whether the bridge may follow it with the user's headers.
struct RedirectTests {
    @Test(arguments: [
        ("/mcp", "https://h.example/a/b", Redirect.Target.sameOrigin("https://h.example/mcp")),
        ("next", "https://h.example/a/b", .sameOrigin("https://h.example/a/next")),
        ("http://127.0.0.1:8000/x", "http://127.0.0.1:8000/y", .sameOrigin("http://127.0.0.1:8000/x")),
        ("HTTP://127.0.0.1:8000/x", "http://127.0.0.1:8000/y", .sameOrigin("http://127.0.0.1:8000/x")),
        ("https://evil.example/mcp", "https://h.example/mcp", .otherOrigin("https://evil.example/mcp")),
        ("http://h.example/mcp", "https://h.example/mcp", .otherOrigin("http://h.example/mcp")),
        ("//evil.example/mcp", "https://h.example/mcp", .otherOrigin("https://evil.example/mcp")),
        ("//h.example/other", "https://h.example/mcp", .sameOrigin("https://h.example/other")),
        ("https://h.example:8443/mcp", "https://h.example/mcp", .otherOrigin("https://h.example:8443/mcp")),
        ("", "https://h.example/mcp", .invalid),
        // RFC 3986 §5.4 examples, against a base of this shape.
        ("g", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/g")),
        ("./g", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/g")),
        ("g/", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/g/")),
        ("?y", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/d?y")),
        ("g?y", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/g?y")),
        ("#s", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/d?q")),
        ("g#s", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/g")),
        (".", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/")),
        ("..", "http://a/b/c/d?q", .sameOrigin("http://a/b/")),
        ("../g", "http://a/b/c/d?q", .sameOrigin("http://a/b/g")),
        ("../../../g", "http://a/b/c/d?q", .sameOrigin("http://a/g")),
        ("/./g", "http://a/b/c/d?q", .sameOrigin("http://a/g")),
        ("/../../etc/passwd", "http://a/b/c/d?q", .sameOrigin("http://a/etc/passwd")),
        ("g;x=1/../y", "http://a/b/c/d?q", .sameOrigin("http://a/b/c/y")),
        // Absolute URIs of other schemes are refused, never taken as a relative path.
        ("file:///etc/passwd", "http://127.0.0.1:8000/mcp", .otherScheme("file")),
        ("gopher://127.0.0.1:8000/mcp", "http://127.0.0.1:8000/mcp", .otherScheme("gopher")),
        ("data:text/plain,hi", "http://127.0.0.1:8000/mcp", .otherScheme("data")),
        ("JavaScript:alert(1)", "http://127.0.0.1:8000/mcp", .otherScheme("javascript")),
        ("localhost:8000/mcp", "http://127.0.0.1:8000/mcp", .otherScheme("localhost")),
        ("./localhost:8000/mcp", "http://127.0.0.1:8000/mcp", .sameOrigin("http://127.0.0.1:8000/localhost:8000/mcp")),
        ("http:relative", "http://127.0.0.1:8000/mcp", .invalid),
        ("/a b", "http://127.0.0.1:8000/mcp", .invalid),
        ("//user:pw@127.0.0.1:8000/mcp", "http://127.0.0.1:8000/mcp", .invalid),
    ])
    func locationsResolveAndOnlySameOriginIsFollowed(location: String, current: String, target: Redirect.Target) {
        #expect(Redirect.resolve(location, against: current) == target)
    }
}
