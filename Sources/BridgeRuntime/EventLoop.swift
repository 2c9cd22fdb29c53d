/// The one thread the bridge's hot path runs on: it polls descriptors, runs tasks that prefer it, and lets work
/// batched during a round (stdout lines) be finished right before it sleeps.
///
/// A protocol so the host side (stdin, stdout) can use the loop without knowing what drives it: the HTTP target's
/// `CurlDriver` is the implementation, and tests can supply their own.
package protocol EventLoop: TaskExecutor, Sendable {
    /// Polls `fd` for input on the loop's thread and calls `onReadable` there when it is readable or hung up, until
    /// it returns false. `isPaused` is asked before each wait: while it is true the descriptor is not polled
    /// (backpressure: the producer waits in the kernel's buffer, not in memory).
    func watch(_ fd: Int32, isPaused: @escaping @Sendable () -> Bool, onReadable: @escaping @Sendable () -> Bool)

    /// Runs `hook` on the loop's thread each time it is about to wait, after the jobs of a round ran.
    func beforeEachWait(_ hook: @escaping @Sendable () -> Void)

    /// True on the loop's thread.
    var isCurrentThread: Bool { get }
}
