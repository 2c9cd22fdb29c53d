import Dispatch

#if canImport(Glibc)
import Glibc
#endif

/// Turns SIGINT/SIGTERM into a callback instead of the default immediate death, so the bridge can drain and
/// answer in-flight requests before it exits. Unchecked Sendable: the sources are immutable after init and
/// Dispatch sources may be cancelled from any thread.
final class SignalWatcher: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    init(signals: [Int32], onSignal: @escaping @Sendable (Int32) -> Void) {
        sources = signals.map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { onSignal(number) }
            source.resume()
            return source
        }
    }

    func cancel() {
        sources.forEach { $0.cancel() }
    }
}
