/// `pwritev2(RWF_NOWAIT)`: a gathered write that takes what fits in a pipe right now and fails with EAGAIN instead
/// of sleeping, without switching the descriptor to O_NONBLOCK (Linux 5.x+, glibc 2.26+).
///
/// The Swift Glibc module does not export `pwritev2`, so it is looked up once; musl and Darwin have none, and
/// `isAvailable` is false there (the caller's `poll` + `writev` path then does the work).
package enum NoWaitWrite {
    private typealias PWritev2 = @convention(c) (Int32, UnsafePointer<iovec>?, Int32, off_t, Int32) -> Int
    private static let rwfNoWait: Int32 = 8

    private static let pwritev2: PWritev2? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(nil /* RTLD_DEFAULT */, "pwritev2") else { return nil }
        return unsafeBitCast(symbol, to: PWritev2.self)
        #else
        return nil
        #endif
    }()

    package static var isAvailable: Bool { pwritev2 != nil }

    /// The bytes written, or -1 with `errno` set (EAGAIN: no room now; EOPNOTSUPP/EINVAL/ENOSYS: not for this kind
    /// of descriptor). Call only when `isAvailable`.
    package static func write(_ fd: Int32, _ vectors: UnsafeBufferPointer<iovec>) -> Int {
        guard let pwritev2 else {
            errno = ENOSYS
            return -1
        }
        return pwritev2(fd, vectors.baseAddress, Int32(vectors.count), -1, rwfNoWait)
    }
}
