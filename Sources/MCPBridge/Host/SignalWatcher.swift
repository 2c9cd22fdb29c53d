import BridgePlatform
import BridgeRuntime

/// The write end of the self-pipe; set before the handlers are installed, read only by the handler.
nonisolated(unsafe) private var signalPipeWriteEnd: Int32 = -1

/// Turns SIGINT/SIGTERM into a callback, so the bridge can drain and answer in-flight requests before exiting.
///
/// The handler only writes the signal number to a pipe (async-signal-safe); a thread of its own reads the pipe
/// and runs the callback. A second signal means the user insists: the process exits at once.
final class SignalWatcher: Sendable {
    init(onSignal: @escaping @Sendable (Int32) -> Void) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { return }
        signalPipeWriteEnd = ends[1]
        let readEnd = ends[0]
        for number in ProcessSignals.shutdownSignals {
            signal(number) { received in
                var byte = UInt8(truncatingIfNeeded: received)
                _ = write(signalPipeWriteEnd, &byte, 1)
            }
        }
        DetachedThread.start {
            var byte: UInt8 = 0
            var count = 0
            while true {
                let n = read(readEnd, &byte, 1)
                if n < 0 && errno == EINTR { continue }
                guard n == 1 else { return }
                count += 1
                if count > 1 { _exit(128 + Int32(byte)) }
                onSignal(Int32(byte))
            }
        }
    }
}
