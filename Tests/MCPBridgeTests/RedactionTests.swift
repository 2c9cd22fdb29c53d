import BridgeHTTP
import Testing

@testable import MCPBridge

struct RedactionTests {
    @Test(arguments: [
        ("https://example.com/mcp", "https://example.com/mcp"),
        ("https://user:pass@example.com/mcp", "https://***@example.com/mcp"),
        ("https://user@example.com", "https://***@example.com"),
        ("https://a:b@c@example.com/x", "https://***@example.com/x"),
        ("https://example.com/@scope/pkg", "https://example.com/@scope/pkg"),
        ("https://example.com/?token=abc", "https://example.com/?token=***"),
        ("https://example.com/?access_token=abc&x=1", "https://example.com/?access_token=***&x=1"),
        ("https://example.com/?api_key=abc", "https://example.com/?api_key=***"),
        ("https://example.com/?apiKey=abc", "https://example.com/?apiKey=***"),
        ("https://example.com/?client_secret=abc", "https://example.com/?client_secret=***"),
        ("https://example.com/?sig=abc&se=2030", "https://example.com/?sig=***&se=2030"),
        ("https://s3.example/o?X-Amz-Signature=ab", "https://s3.example/o?X-Amz-Signature=***"),
        ("https://example.com/cb?code=abc&state=xyz", "https://example.com/cb?code=***&state=***"),
        ("https://example.com/?password=hunter2", "https://example.com/?password=***"),
        ("https://example.com/?access%5Ftoken=abc", "https://example.com/?access%5Ftoken=***"),
        ("https://example.com/?encode=abc&design=x", "https://example.com/?encode=abc&design=x"),
        ("https://example.com/?flag&token", "https://example.com/?flag&token"),
        ("https://example.com/#access_token=abc&type=bearer", "https://example.com/#access_token=***&type=bearer"),
        ("https://example.com/?a=1#frag", "https://example.com/?a=1#frag"),
        ("https://u:p@example.com/?key=k#token=t", "https://***@example.com/?key=***#token=***"),
        ("not a url ?token=abc", "not a url ?token=***"),
    ])
    func urlRedaction(url: String, expected: String) {
        #expect(Redaction.redactURL(url) == expected)
    }
}

/// The values the bridge sends are masked wherever a server repeats them; short values are left alone.
struct SecretValuesTests {
    @Test func everySentValueIsMaskedInFreeText() {
        let secrets = SecretValues()
        secrets.remember(headerValues: ["Bearer tok-123456", "session=cookie-abc; theme=dark", "Basic dXNlcjpw=="],
                         serverURL: "https://h.example/mcp?key=q%2Fvalue&n=1")
        let echoed = "auth Bearer tok-123456 / tok-123456, cookie: session=cookie-abc; theme=dark, "
            + "basic dXNlcjpw==, query q%2Fvalue and q/value, n=1"
        let masked = secrets.redact(echoed)
        for secret in ["tok-123456", "cookie-abc", "dark", "dXNlcjpw==", "q%2Fvalue", "q/value"] {
            #expect(!masked.contains(secret), "\(secret) in \(masked)")
        }
        #expect(masked.contains("n=1"), "values shorter than four bytes stay: \(masked)")
    }
}
