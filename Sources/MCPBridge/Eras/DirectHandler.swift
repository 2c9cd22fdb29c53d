import BridgeRuntime
import BridgeWire
import Logging

/// The host and the server speak the same era: requests go out as the host wrote them, answers come back as the
/// server wrote them (only `tools/list` is adapted, see `ReplyRouting.adapt`).
struct DirectHandler: Sendable {
    let channel: any ServerChannel
    let routing: ReplyRouting
    /// The server requests on calls' reply streams, for the host's answer that cannot reach the server.
    let questions = MidCallQuestions()

    @inline(__always)
    func handle(_ request: HostRequest) async throws {
        if request.method == "subscriptions/listen", request.modern != nil {
            try await listen(request)
        } else {
            try await call(request)
        }
    }

    @inline(__always)
    private func call(_ request: HostRequest) async throws {
        var asked = false
        defer { if asked { questions.forget(call: request.id) } }
        try await channel.call(request) { message in
            if message.envelope.kind == .request, let question = message.envelope.id {
                questions.note(question, method: message.envelope.method ?? "a request", during: request.id)
                asked = true
            }
            return await routing.route(message, of: request) { answer in
                await routing.sink.answer(request.id, with: answer)
            }
        }
    }

    /// The host's answer to a question the server asked during a call reached no server that knows the session
    /// (HTTP 404), so the server waits for it forever: the call gets its one answer now, and its stream is closed.
    func answerLost(_ asked: MidCallQuestions.Asked) async {
        let task = routing.sink.inFlight.task(of: asked.call)
        await routing.sink.fail(asked.call, with: BridgeError(.sessionExpired, "the server asked the host for "
            + "\(asked.method) in the middle of the call, and the host's answer reached a server that does not know "
            + "the session (HTTP 404), so the call could never finish; stateful server replicas behind a load "
            + "balancer need sticky sessions (route by Mcp-Session-Id, or a cookie)", httpStatus: 404))
        task?.cancel()
    }

    /// A 2026-07-28 `subscriptions/listen`: one long-lived POST whose notifications reach the host as they arrive.
    ///
    /// When the stream drops without a result (a replica restarting, a proxy timing out an idle connection), the
    /// host would only learn of it by silence, so the bridge listens again under the same id, with a backoff
    /// that doubles up to 30 s (back to 1 s after a stream that lived 30 s), and says so on stderr. It ends when
    /// the server sends the listen's result or the host cancels it.
    func listen(_ request: HostRequest, onMessage: ReplyHandler? = nil) async throws {
        var backoff = Backoff(initial: .seconds(1), maximum: .seconds(30))
        while true {
            let started = ContinuousClock.now
            do {
                if let onMessage { return try await channel.call(request, onMessage: onMessage) }
                return try await call(request)
            } catch let error as BridgeError where RetryPolicy.isTransient(error) {
                try Task.checkCancellation()
                if ContinuousClock.now - started >= .seconds(30) { backoff.reset() }
                let delay = backoff.next()
                routing.logger.warning("subscription stream dropped; listening again", metadata: [
                    "mcp.id": "\(request.id)", "retry.delay_ms": "\(delay.milliseconds)", "error": "\(error.message)",
                ])
                try await Task.sleep(for: delay)
            }
        }
    }
}
