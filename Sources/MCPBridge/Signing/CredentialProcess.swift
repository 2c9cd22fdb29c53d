import BridgePlatform
import BridgeRuntime
import Synchronization

/// A profile's `credential_process`: runs the command (split as a POSIX shell splits words, but run without a
/// shell), with stdin from /dev/null so it cannot read the host's JSON-RPC stream, and reads its stdout as a
/// credential document (`Version: 1`). Its stderr is the bridge's, so a helper's own prompts and errors reach the
/// user's log.
enum CredentialProcess {
    static let timeout: Duration = .seconds(60)

    static func run(_ command: String, source: String) async throws(AWSCredentialError) -> AWSCredentials {
        let arguments = try words(command)
        guard !arguments.isEmpty else { throw AWSCredentialError("\(source): credential_process is empty") }
        let output = try await spawnAndRead(arguments, source: source)
        guard output.status == 0 else {
            throw AWSCredentialError("\(source): credential_process `\(arguments[0])` exited with status "
                + "\(output.status); run it by hand to see why")
        }
        if let version = AWSCredentialDocument.fields(output.stdout)?["Version"], version != "1" {
            throw AWSCredentialError("\(source): credential_process printed Version \(version); only 1 is defined")
        }
        return try AWSCredentialDocument.credentials(output.stdout, source: source)
    }

    /// Words as `shlex.split` makes them (what the AWS CLI uses): quotes group, backslash escapes.
    static func words(_ command: String) throws(AWSCredentialError) -> [String] {
        var words: [String] = []
        var current = ""
        var inWord = false
        var quote: Character?
        var escaped = false
        for character in command {
            if escaped {
                current.append(character)
                escaped = false
            } else if let open = quote {
                if character == open {
                    quote = nil
                } else if character == "\\" && open == "\"" {
                    escaped = true
                } else {
                    current.append(character)
                }
            } else if character == "\\" {
                (escaped, inWord) = (true, true)
            } else if character == "\"" || character == "'" {
                (quote, inWord) = (character, true)
            } else if character == " " || character == "\t" || character == "\n" {
                if inWord { words.append(current) }
                (current, inWord) = ("", false)
            } else {
                current.append(character)
                inWord = true
            }
        }
        guard quote == nil, !escaped else { throw AWSCredentialError("credential_process has an unclosed quote") }
        if inWord { words.append(current) }
        return words
    }

    /// Set once the child is reaped, so the watchdog never signals a reused pid.
    private final class Finished: Sendable {
        let value = Mutex(false)
    }

    private struct Output: Sendable {
        var stdout: [UInt8]
        var status: Int32
    }

    /// Spawns the helper and collects its stdout on a thread of its own (the reads block), killing it after
    /// `timeout`.
    private static func spawnAndRead(_ arguments: [String], source: String) async throws(AWSCredentialError) -> Output {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else { throw AWSCredentialError("\(source): cannot create a pipe") }
        // Close-on-exec, so other children (a second helper) do not inherit them; dup2 clears it on the child's fd 1.
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        let spawned = ChildProcess.spawn(arguments, stdout: pipeEnds[1])
        close(pipeEnds[1])
        let child: pid_t
        switch spawned {
        case .success(let pid):
            child = pid
        case .failure(let error):
            close(pipeEnds[0])
            throw AWSCredentialError("\(source): cannot run credential_process `\(arguments[0])`: \(error)")
        }
        let reader = pipeEnds[0]
        let finished = Finished()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            if !finished.value.withLock({ $0 }) { kill(child, SIGKILL) }
        }
        defer { watchdog.cancel() }
        let output = await withCheckedContinuation { (continuation: CheckedContinuation<Output, Never>) in
            DetachedThread.start {
                let bytes = readAll(reader)
                close(reader)
                var status: Int32 = 0
                while waitpid(child, &status, 0) < 0 && errno == EINTR {}
                finished.value.withLock { $0 = true }
                continuation.resume(returning: Output(stdout: bytes, status: ChildProcess.exitStatus(status)))
            }
        }
        return output
    }

    private static func readAll(_ fd: Int32) -> [UInt8] {
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0, errno == EINTR { continue }
            guard count > 0 else { return bytes }
            if bytes.count < 1 << 20 { bytes.append(contentsOf: buffer[..<count]) }
        }
    }
}
