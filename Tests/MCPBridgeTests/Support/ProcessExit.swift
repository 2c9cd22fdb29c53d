import Foundation

#if canImport(Glibc)
import Glibc
#endif

extension Process {
    /// The exit status once the child has exited, looked up with `waitid(WNOWAIT)`, which leaves the child for
    /// Foundation to reap: with many children exiting at once (the suites run in parallel) Foundation can notice
    /// an exit only at a later SIGCHLD, and `isRunning` stays true meanwhile although the bridge is long gone.
    /// Nil while the child runs.
    var exitStatusIfExited: Int32? {
        guard isRunning else { return terminationStatus }
        var info = siginfo_t()
        guard waitid(P_PID, id_t(processIdentifier), &info, WEXITED | WNOHANG | WNOWAIT) == 0,
              info._sifields._sigchld.si_pid == processIdentifier else { return nil }
        return info._sifields._sigchld.si_status  // the exit code, or the signal, as `terminationStatus` says
    }

    /// Waits (polling) up to `timeout` for the child to exit; nil if it is still running then.
    func exitStatus(within timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while true {
            if let status = exitStatusIfExited { return status }
            guard ContinuousClock.now < deadline else { return nil }
            try await Task.sleep(for: .milliseconds(10))
        }
    }
}
