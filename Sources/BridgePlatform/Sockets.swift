/// The socket calls whose spelling differs between Linux and Darwin.
package enum Sockets {
    /// A TCP socket (`SOCK_STREAM` is an enum on Glibc, an `Int32` elsewhere), close-on-exec so children the bridge
    /// starts (a browser, a credential helper) do not inherit it.
    package static func tcp(family: Int32 = AF_INET) -> Int32 {
        #if canImport(Glibc)
        let fd = socket(family, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(family, SOCK_STREAM, 0)
        #endif
        if fd >= 0 {
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
            #if canImport(Darwin)
            // Darwin has no MSG_NOSIGNAL: the socket itself is told not to raise SIGPIPE.
            var one: Int32 = 1
            setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
            #endif
        }
        return fd
    }

    /// send(2) that reports EPIPE instead of raising SIGPIPE, even where the process has not ignored it.
    package static func send(_ fd: Int32, _ buffer: UnsafeRawBufferPointer) -> Int {
        #if canImport(Darwin)
        Darwin.send(fd, buffer.baseAddress, buffer.count, 0)
        #else
        Glibc.send(fd, buffer.baseAddress, buffer.count, Int32(MSG_NOSIGNAL))
        #endif
    }

    /// Asks the kernel to acknowledge at once (Linux's TCP_QUICKACK); false where there is no such option (Darwin
    /// acknowledges on its own schedule, which only costs latency).
    @discardableResult
    package static func acknowledgeQuickly(_ fd: Int32) -> Bool {
        #if os(Linux)
        var on: Int32 = 1
        return setsockopt(fd, Int32(IPPROTO_TCP), TCP_QUICKACK, &on, socklen_t(MemoryLayout<Int32>.size)) == 0
        #else
        return false
        #endif
    }
}
