/// Starting a helper program (a browser opener, an AWS `credential_process`) without a shell and without handing it
/// anything of the bridge's: stdin is /dev/null, stdout is /dev/null or a pipe of the caller's (the bridge's own
/// stdout is the host's JSON-RPC channel), stderr is shared (the helper's messages belong in the host's log), and
/// the signal mask and SIGPIPE are reset to their defaults (the bridge ignores SIGPIPE and may block signals).
package enum ChildProcess {
    /// Spawns `arguments[0]`, looked up in `PATH` when it has no slash. Returns the pid, or the errno of the failure.
    package static func spawn(_ arguments: [String], stdout: Int32? = nil) -> Result<pid_t, ChildProcessError> {
        guard let program = arguments.first else { return .failure(ChildProcessError(code: EINVAL)) }
        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        if let stdout {
            posix_spawn_file_actions_adddup2(&actions, stdout, 1)
        } else {
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        }
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv = arguments.map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let status = posix_spawnp(&pid, program, &actions, &attributes, argv, ProcessEnvironment.pointer)
        return status == 0 ? .success(pid) : .failure(ChildProcessError(code: status))
    }

    /// The exit status as a shell reports it: the code, or 128 + the signal that ended it.
    package static func exitStatus(_ waitStatus: Int32) -> Int32 {
        (waitStatus & 0x7f) == 0 ? (waitStatus >> 8) & 0xff : 128 + (waitStatus & 0x7f)
    }
}

/// Why a helper could not be started (the program is missing, not executable, …).
package struct ChildProcessError: Error, Sendable, CustomStringConvertible {
    package var code: Int32
    package var description: String { String(cString: strerror(code)) }
}
