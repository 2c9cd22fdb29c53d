import BridgePlatform
import BridgeRuntime
import Crypto

/// The per-user OAuth store: one directory per server (its URL and resource), holding the client registration and
/// the tokens as small JSON files, so every copy of the bridge a host starts shares one login.
///
/// Directory 0700, files 0600, each write a rename of a complete temporary file (a reader never sees half a token).
/// `withLock` is an exclusive `flock` on the directory's lock file: the copy that holds it logs in or refreshes, the
/// others wait and then re-read what it stored. The lock dies with its process, so a copy killed mid-flow leaves
/// nothing stuck. Location: `$MCP_BRIDGE_AUTH_DIR`, else `$XDG_CONFIG_HOME/mcp-bridge/auth`, else
/// `~/.config/mcp-bridge/auth`.
struct TokenStore: Sendable {
    let directory: String

    enum StoreError: Error, CustomStringConvertible {
        case io(String, Int32)
        var description: String {
            switch self {
            case .io(let path, let code): "OAuth store \(path): \(String(cString: strerror(code)))"
            }
        }
    }

    init(directory: String) {
        self.directory = directory
    }

    init(root: String, server: String) {
        let digest = SHA256.hash(data: Array(server.utf8)).prefix(12).map { String($0, radix: 16).leftPadded(2) }
        directory = root + "/" + digest.joined()
    }

    static func defaultRoot(environment: [String: String]) -> String {
        if let explicit = environment["MCP_BRIDGE_AUTH_DIR"], !explicit.isEmpty { return explicit }
        if let config = environment["XDG_CONFIG_HOME"], !config.isEmpty { return config + "/mcp-bridge/auth" }
        return (environment["HOME"] ?? "/tmp") + "/.config/mcp-bridge/auth"
    }

    func read(_ name: String) -> [UInt8]? { SmallFile.read(directory + "/" + name) }

    func write(_ name: String, _ bytes: [UInt8]) throws(StoreError) {
        try makeDirectory()
        let path = directory + "/" + name
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .io(temporary, errno) }
        let written = bytes.withUnsafeBytes { FileDescriptorIO.write(fd, $0.baseAddress, $0.count) }
        let synced = fsync(fd)
        close(fd)
        guard written == bytes.count, synced == 0, rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw .io(path, code)
        }
    }

    func remove(_ name: String) { unlink(directory + "/" + name) }

    /// Runs `body` holding the store's exclusive lock, waiting up to `patience` for another copy's flow to finish.
    func withLock<T: Sendable>(patience: Duration, _ body: @Sendable () async throws -> T) async throws -> T {
        try makeDirectory()
        let fd = open(directory + "/lock", O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw StoreError.io(directory + "/lock", errno) }
        defer { close(fd) }
        // flock blocks its thread: poll instead, so the Swift concurrency pool is never held.
        let deadline = ContinuousClock.now + patience
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else { throw StoreError.io(directory + "/lock", errno) }
            guard ContinuousClock.now < deadline else {
                throw BridgeError(.unauthorized, "another mcp-bridge has been signing in to this server for over "
                    + "\(patience.formatted); finish that sign-in, or run `mcp-bridge login URL`")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        defer { flock(fd, LOCK_UN) }
        return try await body()
    }

    private func makeDirectory() throws(StoreError) {
        var path = ""
        for component in directory.split(separator: "/") {
            path += "/" + component
            if mkdir(path, 0o700) != 0 && errno != EEXIST { throw .io(path, errno) }
        }
        chmod(directory, 0o700)
    }
}

extension String {
    fileprivate func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
