import BridgeWire
import Logging

/// Decides what each line from the host becomes: a relayed request, a notification, an answer to the server,
/// or a local error for input that is not a JSON-RPC message.
///
/// Runs on the stdin pump, one line at a time, so it must never wait on the network except where ordering
/// demands it (`notifications/initialized` must reach the server before the requests that follow it).
struct Router: Sendable {
    let eras: EraRouter
    let sink: ReplySink
    let channel: any ServerChannel
    let tools: ToolCatalog
    let maxMessageBytes: Int
    let logger: Logger
    let work: WorkTracker
    /// Opens the server's GET stream once the host's handshake with a legacy server is complete.
    let startServerStream: @Sendable () -> Void
    /// `--max-in-flight`: requests relayed at once.
    let permits: RequestPermits
    /// Requests admitted (relayed or waiting); past this the pump itself waits, so a burst stays bounded in memory.
    let admission: RequestPermits
    /// Host notifications for the server, sent in order, bounded the same way.
    let notifications: NotificationQueue
    /// `--request-timeout`: the deadline of each host request as a whole (see `RequestDeadline`).
    var requestTimeout: Duration?

    func handle(_ item: StdinItem) async {
        switch item {
        case .oversized(let length):
            logger.warning("discarded an oversized message", metadata: ["bytes": "\(length)"])
            await writeLocalError(id: nil, code: -32700, message: "Parse error: message of \(length) bytes exceeds "
                + "--max-message-bytes (\(maxMessageBytes))")
        case .line(let bytes):
            await handle(line: bytes)
        }
    }

    private func handle(line bytes: [UInt8]) async {
        let envelope: Envelope
        do {
            envelope = try Envelope.classify(bytes)
        } catch {
            switch error {
            case .parse(let error):
                logger.warning("host sent a line that is not JSON", metadata: ["error": "\(error)"])
                await writeLocalError(id: nil, code: -32700, message: "Parse error: \(error)")
            case .invalidRequest(let id, let reason):
                logger.warning("host sent an invalid JSON-RPC message", metadata: ["reason": "\(reason)"])
                await writeLocalError(id: id, code: -32600, message: "Invalid Request: \(reason)")
            }
            return
        }
        switch envelope.kind {
        case .request:
            await handleRequest(bytes, envelope)
        case .notification:
            await handleNotification(bytes, method: envelope.method ?? "")
        case .response:
            // An answer to a question the bridge asked for a 2026-07-28 server stays here.
            if eras.legacyHost.questions.deliver(bytes, envelope: envelope) { return }
            work.spawn { [channel, eras] in
                let status = await channel.send(bytes, what: "response \(envelope.id.map { "\($0)" } ?? "null")")
                guard let asked = envelope.id.flatMap(eras.direct.questions.take), status == 404 else { return }
                await eras.direct.answerLost(asked)
            }
        case .batch:
            await handleBatch(bytes, envelope)
        }
    }

    private func handleRequest(_ bytes: [UInt8], _ envelope: Envelope) async {
        guard let id = envelope.id, let method = envelope.method else { return }
        let modern = ModernRequest(bytes, envelope: envelope)
        eras.eras.noteHost(modern: modern != nil)
        logger.debug("host request", metadata: ["mcp.method": "\(method)", "mcp.id": "\(id)"])
        if method == "tools/call", !tools.filter.isEmpty,
           let name = Envelope.string(atPath: ["name"], in: bytes, root: envelope.params), tools.hides(name) {
            await writeLocalError(id: id, code: -32602, message: "Unknown tool: \(name) (hidden by --ignore-tool)")
            return
        }
        let observation = sink.monitor?.observe(bytes: bytes.count)
        guard sink.inFlight.register(id, method: method, observation: observation) else {
            await writeLocalError(id: id, code: BridgeError.Code.duplicateID.rawValue, message: "Invalid Request: "
                + "id \(id) is already in use by a request in flight; ids must be unique")
            return
        }
        if method == "initialize" { await eras.session.beginInitialize(bytes) }
        let request = HostRequest(bytes: bytes, id: id, method: method, modern: modern, observation: observation)
        _ = await admission.acquire()
        let relay: @Sendable () async -> Void = { [permits, eras] in
            // Cancelled while waiting (notifications/cancelled, the deadline): never sent.
            guard await permits.acquire() else { return }
            await eras.relay(request)
            permits.release()
        }
        let deadline = requestTimeout.map { RequestDeadline(limit: $0, sink: sink, expired: cancelUpstream) }
        let task = work.spawn { [admission] in
            defer { admission.release() }
            if let deadline { await deadline.run(request, relay) } else { await relay() }
        }
        sink.inFlight.attach(task, to: id)
    }

    /// A request whose deadline passed: a handshake-era server is told to stop (after the relay ended, so the
    /// cancellation never overtakes the request); for 2026-07-28 the aborted stream was the cancellation.
    private func cancelUpstream(_ request: HostRequest) async {
        guard case .legacy = eras.eras.known else { return }
        await notifications.enqueue(JSONRPCMessage.cancelled(request.id, reason: "mcp-bridge: --request-timeout"),
                                    what: "notifications/cancelled")
    }

    private func handleNotification(_ bytes: [UInt8], method: String) async {
        logger.debug("host notification", metadata: ["mcp.method": "\(method)"])
        sink.monitor?.hostNotification(bytes: bytes.count)
        switch method {
        case "notifications/initialized":
            // Ordering: it must reach a legacy server before the requests behind it, so the pump waits here.
            await eras.session.handshakeSettled()
            if case .modern(let facts) = eras.eras.known {
                eras.legacyHost.hostInitialized(facts)  // a 2026-07-28 server has no handshake to finish
                return
            }
            await eras.session.rememberInitialized(bytes)
            let status = await channel.send(bytes, what: method)
            if let status, (200..<300).contains(status) { startServerStream() }
        case "notifications/cancelled":
            let id = Self.requestID(atPath: ["params", "requestId"], in: bytes)
            let task = id.flatMap { sink.inFlight.task(of: $0) }
            let entry: InFlightTable.Entry? = if let id { await sink.cancel(id) } else { nil }
            if let id, entry != nil { logger.debug("cancelled by the host", metadata: ["mcp.id": "\(id)"]) }
            if let upstream = entry?.upstreamID {
                // A retry the server never saw: it knows the call by the original request's id.
                work.spawn { [eras] in await eras.cancelUpstream(upstream, reason: "cancelled by the host") }
                return
            }
            // Only a legacy server is told; for 2026-07-28 closing the request's stream is the cancellation, and a
            // server whose era is still unknown has been sent nothing yet.
            guard case .legacy = eras.eras.known else { return }
            await notifications.enqueue(bytes, what: method, after: task)
        default:
            // 2026-07-28 defines no other client notifications (roots changes travel with each request).
            if eras.eras.known?.isModern == true { return }
            await notifications.enqueue(bytes, what: method)
        }
    }

    /// A 2025-03-26 JSON-RPC batch: sent as one POST; each request inside still gets exactly one answer.
    /// An element whose id is already in flight (outside the batch or earlier in it) is refused with -32011 like a
    /// single line and left out of the POST, so the request that holds the id keeps its own answer.
    /// 2026-07-28 has no batches, so for a server of that era each element is handled as its own line (translated
    /// like any other message of the host's; the answers come back one per line, matched by id).
    private func handleBatch(_ bytes: [UInt8], _ envelope: Envelope) async {
        if eras.eras.known?.isModern == true {
            for range in envelope.batchElements { await handle(line: Array(bytes[range])) }
            return
        }
        var ids: [RequestID] = []
        var kept: [Range<Int>] = []
        for range in envelope.batchElements {
            if let inner = try? Envelope.classify(bytes, range: range), inner.kind == .request,
               let id = inner.id, let method = inner.method {
                guard sink.inFlight.register(id, method: method,
                                             observation: sink.monitor?.observe(bytes: range.count)) else {
                    await writeLocalError(id: id, code: BridgeError.Code.duplicateID.rawValue, message: "Invalid "
                        + "Request: id \(id) is already in use by a request in flight; ids must be unique")
                    continue
                }
                ids.append(id)
            }
            kept.append(range)
        }
        guard !kept.isEmpty else { return }
        let batch = kept.count == envelope.batchElements.count ? bytes : BatchSplit.joining(kept, in: bytes)
        let requests = ids
        work.spawn { [channel, sink] in
            for (id, error) in await channel.batch(batch, ids: requests) { await sink.fail(id, with: error) }
        }
    }

    private func writeLocalError(id: RequestID?, code: Int, message: String) async {
        await sink.refuse(id: id, code: code, message: message)
    }

    /// Reads an id-shaped value (string or number) at `path`, as `RequestID` compares them.
    static func requestID(atPath path: [String], in bytes: [UInt8]) -> RequestID? {
        guard let value = try? JSONScanner.value(atPath: path, in: bytes) else { return nil }
        return bytes.withUnsafeBytes { RequestID(value.kind, at: value.range, in: $0) }
    }
}
