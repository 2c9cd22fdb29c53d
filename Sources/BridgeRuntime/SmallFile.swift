import BridgePlatform

/// A whole small file (credentials, config, the OAuth store) read with plain system calls: the bridge has no
/// Foundation. Reading stops at `limit` bytes, so a wrong path to something huge cannot exhaust memory.
package enum SmallFile {
    package static func read(_ path: String, limit: Int = 1 << 20) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16384)
        while bytes.count <= limit {
            let count = buffer.withUnsafeMutableBytes { FileDescriptorIO.read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { break }
            bytes.append(contentsOf: buffer[..<count])
        }
        return bytes
    }
}
