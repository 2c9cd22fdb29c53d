import BridgeHTTP
import Testing

@testable import MCPBridge

struct URLPolicyTests {
    @Test(arguments: [
        "https://x",
        "https://example.com/mcp",
        "HTTPS://Example.COM:8443/a/b?c=d",
        "http://localhost:8080/mcp",
        "http://LOCALHOST/",
        "http://127.0.0.1:3000/mcp",
        "http://127.8.9.10/",
        "http://127.255.255.255/",
        "http://[::1]:3000/",
        "http://[0:0:0:0:0:0:0:1]/",
        "  https://example.com/mcp\n",
    ])
    func acceptsWithoutAllowHTTP(url: String) throws {
        _ = try URLPolicy.check(url, allowHTTP: false)
    }

    @Test(arguments: [
        ("http://0.0.0.0/", "0.0.0.0"),
        ("http://10.0.0.5/", "10.0.0.5"),
        ("http://example.com/mcp", "example.com"),
        ("http://localhost.example.com/", "localhost.example.com"),
        ("http://127.0.0.1.nip.io/", "127.0.0.1.nip.io"),
        ("http://localhost./", "localhost."),
        ("http://0127.0.0.1/", "0127.0.0.1"),
        ("http://127.1/", "127.1"),
        ("http://2130706433/", "2130706433"),
        ("http://[::ffff:127.0.0.1]/", "[::ffff:127.0.0.1]"),
        ("http://[::2]/", "[::2]"),
    ])
    func refusesPlainHTTPToNonLoopbackUnlessAllowed(url: String, host: String) throws {
        #expect(throws: URLPolicyError.plainHTTPToRemoteHost(host: host)) {
            try URLPolicy.check(url, allowHTTP: false)
        }
        let allowed = try URLPolicy.check(url, allowHTTP: true)
        #expect(allowed.host == host)
        #expect(!allowed.isLoopback)
    }

    @Test(arguments: [
        ("", URLPolicyError.notAbsolute),
        ("example.com/mcp", .notAbsolute),
        ("localhost:8080/mcp", .notAbsolute),
        ("http:example.com", .notAbsolute),
        ("/mcp", .notAbsolute),
        ("1http://x/", .notAbsolute),
        ("ftp://x", .unsupportedScheme("ftp")),
        ("ws://localhost/", .unsupportedScheme("ws")),
        ("https://exa mple.com/", .invalidCharacters),
        ("https://example.com/a\tb", .invalidCharacters),
        ("https:///mcp", .missingHost),
        ("https://:443/", .missingHost),
        ("https://exa_mple..com/", .invalidHost),
        ("https://bücher.de/", .invalidHost),
        ("https://[::1/", .invalidHost),
        ("https://[fe80::1%25eth0]/", .invalidHost),
        ("https://[1:2:3]/", .invalidHost),
        ("https://::1/", .invalidHost),
        ("https://example.com:0/", .invalidPort),
        ("https://example.com:65536/", .invalidPort),
        ("https://example.com:http/", .invalidPort),
        ("https://example.com:-1/", .invalidPort),
    ])
    func refusesMalformedURLs(url: String, error: URLPolicyError) {
        #expect(throws: error) { try URLPolicy.check(url, allowHTTP: true) }
    }

    @Test(arguments: [
        "http://alice:secret@example.com/",
        "https://alice:secret@example.com/",
        "http://alice:secret@localhost/",
        "https://:secret@example.com/",
        "https://alice:se@cret@example.com/",
    ])
    func refusesCredentialsWithoutRepeatingThem(url: String) {
        #expect(throws: URLPolicyError.credentialsInURL) { try URLPolicy.check(url, allowHTTP: true) }
        do {
            _ = try URLPolicy.check(url, allowHTTP: false)
        } catch {
            #expect(!error.description.contains("secret"))
            #expect(!error.description.contains("cret"))
            #expect(!error.description.contains("alice"))
        }
    }

    /// A `/` in an unencoded password ends the authority early, so the "port" holds part of the password.
    @Test func malformedCredentialsNeverLeakIntoTheMessage() {
        #expect(throws: URLPolicyError.invalidPort) {
            try URLPolicy.check("http://admin:pa/ss@example.com/", allowHTTP: false)
        }
        #expect(!URLPolicyError.invalidPort.description.contains("pa"))
    }

    @Test func parsesComponents() throws {
        let url = try URLPolicy.check("HTTPS://Example.COM:8443/a/b?x=1&y=2#frag", allowHTTP: false)
        #expect(url.scheme == .https)
        #expect(url.host == "example.com")
        #expect(url.port == 8443)
        #expect(url.path == "/a/b")
        #expect(url.query == "x=1&y=2")
        #expect(url.origin == "https://example.com:8443")
        #expect(url.requestTarget == "/a/b?x=1&y=2")
        #expect(url.absoluteString == "https://example.com:8443/a/b?x=1&y=2")
    }

    @Test(arguments: [
        ("https://example.com", "https://example.com", "/", nil as Int?),
        ("https://example.com:443/mcp", "https://example.com", "/mcp", nil),
        ("http://localhost:80/mcp", "http://localhost", "/mcp", nil),
        ("http://localhost:/mcp", "http://localhost", "/mcp", nil),
        ("https://example.com?q", "https://example.com", "/", nil),
        ("http://[::1]:3000/sse", "http://[::1]:3000", "/sse", 3000),
        ("http://[::1]/", "http://[::1]", "/", nil),
    ])
    func normalisesOriginAndPath(url: String, origin: String, path: String, port: Int?) throws {
        let parsed = try URLPolicy.check(url, allowHTTP: false)
        #expect(parsed.origin == origin)
        #expect(parsed.path == path)
        #expect(parsed.port == port)
    }

    @Test func percentEncodesNonASCIIPath() throws {
        let url = try URLPolicy.check("https://example.com/ä?q=é", allowHTTP: false)
        #expect(url.path == "/%C3%A4")
        #expect(url.query == "q=%C3%A9")
    }

    @Test func loopbackFlagFollowsTheHost() throws {
        #expect(try URLPolicy.check("https://localhost/", allowHTTP: false).isLoopback)
        #expect(try URLPolicy.check("https://127.0.0.1/", allowHTTP: false).isLoopback)
        #expect(try !URLPolicy.check("https://example.com/", allowHTTP: false).isLoopback)
    }

    @Test func descriptionRedactsSecretQueryValues() throws {
        let url = try URLPolicy.check("https://example.com/mcp?api_key=abc123&x=1", allowHTTP: false)
        #expect(url.description == "https://example.com/mcp?api_key=***&x=1")
    }

    @Test func refusalMessageTellsTheUserWhatToDo() {
        let message = URLPolicyError.plainHTTPToRemoteHost(host: "example.com").description
        #expect(message.contains("non-loopback host example.com"))
        #expect(message.contains("--allow-http"))
        #expect(message.contains("unencrypted"))
    }
}
