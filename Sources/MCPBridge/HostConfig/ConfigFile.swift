import BridgePlatform

/// Reading a host's config file and replacing it safely.
///
/// A host may read its file at any moment and a user may have spent an afternoon on it, so a write (1) keeps a
/// dated copy of the previous file beside it, (2) writes a temporary file in the same directory, flushes it and
/// renames it over the old one, so the host sees the old file or the new one and never half of one, and (3) keeps
/// the old file's permissions (a new file is private to the user, 0600: entries may carry credentials). A symbolic
/// link (dotfile managers) is followed and its target replaced, so the link stays. Missing folders are created.
package enum ConfigFile {
    /// The file's bytes; nil when it does not exist.
    package static func read(_ path: String) throws(HostConfigError) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw .io(path: path, operation: "read", errno: errno)
        }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { FileDescriptorIO.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw .io(path: path, operation: "read", errno: errno) }
            guard count > 0 else { return bytes }
            bytes += buffer[..<count]
        }
    }

    /// Replaces (or creates) the file with `bytes`; returns the backup's path when there was a file to back up.
    @discardableResult
    package static func write(_ bytes: [UInt8], to path: String, timestamp: String) throws(HostConfigError) -> String? {
        let target = resolvedPath(path)
        let directory = parent(of: target)
        try makeDirectories(directory)
        var mode: mode_t = 0o600
        var backup: String?
        var status = stat()
        if stat(target, &status) == 0 {
            mode = status.st_mode & 0o7777
            let current = try read(target) ?? []
            let backupPath = try freshName(target + ".\(timestamp).bak")
            try writeNew(current, at: backupPath, mode: mode)
            backup = backupPath
        }
        let temporary = try freshName(directory + "/." + baseName(of: target) + ".mcp-bridge-tmp")
        try writeNew(bytes, at: temporary, mode: mode)
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw .io(path: target, operation: "replace", errno: code)
        }
        syncDirectory(directory)
        return backup
    }

    /// `YYYYMMDD-HHMMSS` in UTC, for backup names that sort by age.
    package static func timestamp() -> String {
        var now = time(nil)
        var parts = tm()
        gmtime_r(&now, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)\(two(parts.tm_mon + 1))\(two(parts.tm_mday))-"
            + "\(two(parts.tm_hour))\(two(parts.tm_min))\(two(parts.tm_sec))"
    }

    private static func writeNew(_ bytes: [UInt8], at path: String, mode: mode_t) throws(HostConfigError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
        var written = 0
        while written < bytes.count {
            let count = bytes[written...].withUnsafeBytes { FileDescriptorIO.write(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else {
                let code = errno
                close(fd)
                unlink(path)
                throw .io(path: path, operation: "write", errno: code)
            }
            written += count
        }
        let synced = fchmod(fd, mode) == 0 && fsync(fd) == 0
        let code = errno
        close(fd)
        guard synced else {
            unlink(path)
            throw .io(path: path, operation: "write", errno: code)
        }
    }

    /// `name`, or `name.1`, `name.2`… when it is taken.
    private static func freshName(_ name: String) throws(HostConfigError) -> String {
        var candidate = name
        var status = stat()
        var counter = 1
        while lstat(candidate, &status) == 0 {
            candidate = "\(name).\(counter)"
            counter += 1
        }
        return candidate
    }

    private static func resolvedPath(_ path: String) -> String {
        guard let resolved = realpath(path, nil) else { return path }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private static func makeDirectories(_ directory: String) throws(HostConfigError) {
        guard !directory.isEmpty else { return }
        var status = stat()
        if stat(directory, &status) == 0 { return }
        try makeDirectories(parent(of: directory))
        guard mkdir(directory, 0o755) == 0 || errno == EEXIST else {
            throw .io(path: directory, operation: "create the folder", errno: errno)
        }
    }

    private static func syncDirectory(_ directory: String) {
        let fd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }

    private static func parent(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    private static func baseName(of path: String) -> String {
        path.lastIndex(of: "/").map { String(path[path.index(after: $0)...]) } ?? path
    }
}
