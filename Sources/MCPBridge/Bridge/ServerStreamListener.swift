import Logging
import Synchronization
import BridgeHTTP

/// Keeps the optional GET stream open so a stateful server can reach the host outside any request
/// (server requests, list-changed notifications, resumed responses).
///
/// Started once the session is initialized. A 405 means the server offers no such stream, and the listener stops.
/// Otherwise it reconnects with `Last-Event-ID`, waiting the server's `retry` or a doubling delay capped at 30 s,
/// so a server that keeps closing the stream never sees a busy loop.
final class ServerStreamListener: Sendable {
    private let relay: Relay
    private let task = Mutex<Task<Void, Never>?>(nil)

    init(relay: Relay) {
        self.relay = relay
    }

    func start() {
        task.withLock { task in
            guard task == nil else { return }
            task = Task { [relay] in await Self.listen(relay) }
        }
    }

    func stop() {
        task.withLock { $0?.cancel() }
    }

    private static func listen(_ relay: Relay) async {
        var lastEventID: String?
        var backoff = 1000
        while !Task.isCancelled {
            let snapshot = await relay.session.snapshot()
            guard snapshot.sessionID != nil else { return }
            let transfer = relay.endpoint.listen(session: snapshot, lastEventID: lastEventID)
            var events = transfer.events.makeAsyncIterator()
            var delay = backoff
            do {
                let head = try await Relay.head(of: &events)
                if head.status == 405 {
                    relay.logger.debug("the server offers no GET stream (405)")
                    return
                }
                if head.status == 200, ReplyReader.format(of: head) == .eventStream {
                    relay.logger.debug("GET stream open")
                    var received = false
                    let summary = try await relay.reader.read(.eventStream, from: &events,
                                                              acknowledge: transfer.acknowledge) { message in
                        received = true
                        await relay.route(message)
                    }
                    lastEventID = summary.lastEventID ?? lastEventID
                    if received { backoff = 1000 }
                    delay = summary.retry ?? backoff
                } else {
                    relay.logger.debug("GET stream refused", metadata: ["http.status": "\(head.status)"])
                }
            } catch {
                if Task.isCancelled { return }
                relay.logger.debug("GET stream broke", metadata: ["error": "\(error)"])
            }
            backoff = min(backoff * 2, 30_000)
            try? await Task.sleep(for: .milliseconds(delay))
        }
    }
}
