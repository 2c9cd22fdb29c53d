import BridgeRuntime

#if canImport(Glibc)
import Glibc
#endif

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

    /// posix_spawnp with stdin/stdout on /dev/null (stdout is the host's JSON-RPC channel); the child is not waited
    /// for beyond reaping it on a thread of its own.
    static func spawn(_ command: String, _ arguments: [String]) -> Bool {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        let argv = ([command] + arguments).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, command, &actions, nil, argv, environ)
        guard status == 0 else { return false }
        let child = pid
        DetachedThread.start {
            var code: Int32 = 0
            _ = waitpid(child, &code, 0)
        }
        return true
    }
}
