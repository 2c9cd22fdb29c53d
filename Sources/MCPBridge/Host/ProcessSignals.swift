import BridgePlatform

/// Process-wide signal set-up for the bridge; call `prepare()` first thing in `main`.
///
/// SIGPIPE is ignored (a host that closes our stdout must not kill us mid-write; EPIPE is handled instead).
/// SIGINT and SIGTERM are unblocked: a host that spawns us from a thread with signals blocked (a parent spawning
/// from a Dispatch worker does) hands that mask down, and the signals would otherwise stay pending forever.
public enum ProcessSignals {
    static let shutdownSignals: [Int32] = [SIGINT, SIGTERM]

    public static func prepare() {
        signal(SIGPIPE, SIG_IGN)
        var set = sigset_t()
        sigemptyset(&set)
        for number in shutdownSignals { sigaddset(&set, number) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }
}
