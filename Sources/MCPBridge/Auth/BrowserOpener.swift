import BridgePlatform
import BridgeRuntime

/// Sends the user to the authorization page: the URL is always printed on stderr (SSH sessions, containers, a host
/// without a desktop), then handed to `$BROWSER` or the platform's opener as one argv element — never through a
/// shell, and only when it is http(s) (a discovered URL is the server's to choose: mcp-remote's CVE-2025-6514).
struct BrowserOpener: Sendable {
    /// `$BROWSER` as the environment had it at start; nil means the platform's opener.
    var browser: String?

    enum OpenError: Error, CustomStringConvertible {
        case notHTTP(String)
        var description: String {
            switch self {
            case .notHTTP(let url): "refusing to open \(url): an authorization URL must be http or https"
            }
        }
    }

    func open(_ url: String, printing: (String) -> Void) throws(OpenError) {
        let lowered = url.lowercased()
        guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://") else { throw .notHTTP(url) }
        printing("to sign in, open this URL in a browser: \(url)")
        // $BROWSER may list several commands separated by ':'; the first is used, with the URL as its argument.
        let command = browser.flatMap { $0.split(separator: ":").first.map(String.init) } ?? Self.platformOpener
        _ = Self.spawn(command, [url])
    }

    #if os(macOS)
    static let platformOpener = "/usr/bin/open"
    #else
    static let platformOpener = "xdg-open"
    #endif

    /// The opener with stdin/stdout on /dev/null (stdout is the host's JSON-RPC channel), never through a shell; the
    /// child is not waited for beyond reaping it on a thread of its own.
    static func spawn(_ command: String, _ arguments: [String]) -> Bool {
        guard case .success(let child) = ChildProcess.spawn([command] + arguments) else { return false }
        DetachedThread.start {
            var code: Int32 = 0
            _ = waitpid(child, &code, 0)
        }
        return true
    }
}
