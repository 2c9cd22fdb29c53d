/// `--request-timeout` as a deadline for the host's whole request: waiting for a permit, every attempt and its
/// backoff, every redirect hop, every resume and poll of its reply stream.
///
/// When the limit passes first, the host gets -32001 at once (claimed, so nothing else is ever written for the
/// id), the relay task is cancelled (which aborts its transfer and stops any retry, resume or poll, so nothing more
/// is sent for it), and `expired` tells the server (a handshake-era server hears `notifications/cancelled`).
///
/// The host's `initialize` is answered at its deadline too, but its relay is left to finish: it also chooses the
/// transport and opens the session every later request shares, and cut short it would leave them half made.
struct RequestDeadline: Sendable {
    let limit: Duration
    let sink: ReplySink
    let expired: @Sendable (HostRequest) async -> Void

    func run(_ request: HostRequest, _ relay: @escaping @Sendable () async -> Void) async {
        let limit = limit
        let sink = sink
        guard request.method != "initialize" else {
            let timer = Task {
                guard (try? await Task.sleep(for: limit)) != nil else { return }
                await sink.fail(request.id, with: .deadlinePassed(limit))
            }
            await relay()
            timer.cancel()
            return
        }
        let timedOut = await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                await relay()
                return false
            }
            group.addTask {
                do { try await Task.sleep(for: limit) } catch { return false }
                await sink.fail(request.id, with: .deadlinePassed(limit))
                return true
            }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
        if timedOut { await expired(request) }
    }
}

extension BridgeError {
    /// The host's request as a whole took longer than `--request-timeout`.
    static func deadlinePassed(_ limit: Duration) -> BridgeError {
        BridgeError(.timedOut, "no answer within --request-timeout (\(limit.formatted)); the request was cancelled "
            + "upstream and will not be sent again. Raise --request-timeout if the tool is slow")
    }
}
