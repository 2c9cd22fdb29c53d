import BridgeHTTP
import BridgeRuntime
import Logging
import Synchronization

/// Keeps the optional GET stream open so a stateful server can reach the host outside any request
/// (server requests, list-changed notifications, resumed responses).
///
/// Started once the session is initialized. A 405 means the server offers no such stream, and the listener stops.
/// Otherwise it reconnects with `Last-Event-ID` after a delay that starts at 1 s and doubles to 30 s until a stream
/// delivers a message; the server's `retry` can lengthen it, never shorten it, so a server that keeps closing the
/// stream (with `retry: 0`, say) never sees a busy loop. A renewed session (a restarted server) is a new stream:
/// it is opened at once, without the old session's event id and backoff, since what the server sends on it before
/// the stream opens is lost.
final class ServerStreamListener: Sendable {
    private let channel: SessionChannel
    /// The running listen, or `.stopped` for good: a session that settles during the drain must not start a stream
    /// after the bridge stopped listening.
    private enum State { case idle, running(Task<Void, Never>), stopped }
    private let state = Mutex(State.idle)

    init(channel: SessionChannel) {
        self.channel = channel
    }

    func start() {
        state.withLock { state in
            guard case .idle = state else { return }
            state = .running(Task { [channel] in await Self.listen(channel) })
        }
    }

    func stop() {
        state.withLock { state in
            if case .running(let task) = state { task.cancel() }
            state = .stopped
        }
    }

    private static func listen(_ channel: SessionChannel) async {
        let logger = channel.http.logger
        var lastEventID: String?
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
        var generation: Int?
        while !Task.isCancelled {
            let snapshot = await channel.session.snapshot()
            guard snapshot.sessionID != nil else { return }
            if snapshot.generation != generation {  // a new session: nothing of the old stream's applies to it
                generation = snapshot.generation
                lastEventID = nil
                backoff.reset()
            }
            var delay = backoff.next()
            do {
                let outcome = try await channel.http.listen(session: snapshot, lastEventID: lastEventID,
                                                            label: "GET stream") { response in
                    try await read(&response, channel: channel.http)
                }
                switch outcome {
                case .unsupported:
                    logger.debug("the server offers no GET stream (405)")
                    return
                case .refused(let status):
                    logger.debug("GET stream refused", metadata: ["http.status": "\(status)"])
                case .ended(let summary, let received):
                    if let refused = summary.refusedEventID {
                        logger.warning("the GET stream's event id holds bytes outside visible ASCII; not resuming with it",
                                       metadata: ["event_id": "\(refused)"])
                    }
                    lastEventID = summary.refusedEventID == nil ? summary.lastEventID ?? lastEventID : nil
                    if received {
                        backoff.reset()
                        delay = backoff.next()
                    }
                    // The server's `retry` lengthens the wait, never shortens it (`retry: 0` must not spin).
                    delay = max(delay, min(summary.retry.map { .milliseconds($0) } ?? .zero, Backoff.longestServerRetry))
                }
            } catch {
                if Task.isCancelled { return }
                logger.debug("GET stream broke", metadata: ["error": "\(error)"])
            }
            _ = await channel.session.replaced(after: snapshot.generation, within: delay)
        }
    }

    private enum Outcome {
        case unsupported
        case refused(status: Int)
        case ended(ReplySummary, received: Bool)
    }

    private static func read(_ response: inout HTTPResponse, channel: StreamableHTTPChannel) async throws -> Outcome {
        if response.status == 405 { return .unsupported }
        guard response.status == 200, ReplyReader.format(of: response.head) == .eventStream else {
            return .refused(status: response.status)
        }
        channel.logger.debug("GET stream open")
        var received = false
        let summary = try await channel.reader.read(.eventStream, from: &response) { message in
            received = true
            await channel.inbound.deliver(message)
        }
        return .ended(summary, received: received)
    }
}
