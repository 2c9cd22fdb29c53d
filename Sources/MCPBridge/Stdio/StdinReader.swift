import BridgePlatform
import BridgeRuntime
import BridgeWire

/// Reads the host's stdin on the event loop's thread (`EventLoop.watch`; the HTTP driver's) and yields lines.
///
/// The driver polls stdin next to its sockets and calls `read(2)` only when it is readable, so the read returns at
/// once; the lines' consumer runs on that same thread, so a host message reaches its POST without a thread hand-off
/// (a reader thread of its own would wake the driver, with a context switch, for every burst).
/// stdin is never switched to O_NONBLOCK: that flag lives on the open file description, which the host (or a
/// terminal) shares with us.
enum StdinReader {
    static func lines(fd: Int32 = STDIN_FILENO, maxLineBytes: Int, on loop: some EventLoop) -> StdinChannel {
        let channel = StdinChannel()
        let reader = Reader(fd: fd, maxLineBytes: maxLineBytes, channel: channel)
        if isStream(fd) {
            loop.watch(fd, isPaused: { channel.isFull }) { reader.readOnce() }
        } else {
            channel.finish()
        }
        return channel
    }

    /// A pipe, socket, terminal, file or device. A host that closed our stdin leaves descriptor 0 to whatever the
    /// runtime opens first (libdispatch's epoll instance): that is no input, and polling it would wait forever.
    private static func isStream(_ fd: Int32) -> Bool {
        var info = stat()
        guard fstat(fd, &info) == 0 else { return false }
        switch info.st_mode & S_IFMT {
        case S_IFIFO, S_IFSOCK, S_IFCHR, S_IFREG, S_IFBLK: return true
        default: return false
        }
    }

    /// Confinement: created here, then used only by the driver thread's `watch` handler.
    private final class Reader: @unchecked Sendable {
        let fd: Int32
        var splitter: LineSplitter
        let channel: StdinChannel
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 64 << 10, alignment: 1)

        init(fd: Int32, maxLineBytes: Int, channel: StdinChannel) {
            self.fd = fd
            self.splitter = LineSplitter(maxLineBytes: maxLineBytes)
            self.channel = channel
        }

        deinit { buffer.deallocate() }

        /// One `read(2)`; false at end of input (or a read error), after the last line is out.
        func readOnce() -> Bool {
            let n = read(fd, buffer.baseAddress, buffer.count)
            if n < 0 && errno == EINTR { return true }
            guard n > 0 else {
                splitter.finish { channel.yield($0) }
                channel.finish()
                return false
            }
            splitter.feed(UnsafeRawBufferPointer(rebasing: buffer[..<n])) { channel.yield($0) }
            return true
        }
    }
}
