import BridgeHTTP
import BridgeWire
import Logging

/// What remains known after a reply body ended, for resuming or explaining a missing response.
struct ReplySummary: Sendable {
    /// The SSE `id` in force at the end: where a resumed GET should continue.
    var lastEventID: String?
    /// The server's requested reconnection delay (SSE `retry`), in milliseconds.
    var retry: Int?
    /// The first payload that was not a valid JSON-RPC message, kept for the error the host receives.
    var invalidPayload: [UInt8]?
    /// Why the server's last event id cannot be sent back as `Last-Event-ID` (see `ServerHeaderValue`), if so.
    var refusedEventID: String?
}

/// Decodes an HTTP response body into MCP messages, whichever of the two forms the server chose.
///
/// `application/json` bodies are collected (bounded by `maxMessageBytes`) and validated once complete;
/// `text/event-stream` bodies are parsed incrementally so progress notifications and server requests reach the host
/// as they arrive. Body chunks are acknowledged as soon as they are processed, which is what lets a paused transfer
/// resume.
struct ReplyReader {
    let maxMessageBytes: Int
    /// Where the elements of a server's batch that are not JSON-RPC messages are reported.
    var logger: Logger?

    enum Format {
        case json
        case eventStream
    }

    static func format(of head: HTTPResponseHead) -> Format? {
        switch head.mediaType {
        case "application/json": .json
        case "text/event-stream": .eventStream
        default: nil
        }
    }

    /// Hands each message of the body to `onMessage`, a server's batch as its elements (see
    /// `ServerMessage.elements`) unless `keepingBatches`: the reply to a host's batch, answered as one.
    @inline(__always)
    func read(
        _ format: Format,
        from response: inout HTTPResponse,
        keepingBatches: Bool = false,
        onMessage: (ServerMessage) async throws -> Void
    ) async throws -> ReplySummary {
        let handler: (ServerMessage) async throws -> Void = { message in
            guard !keepingBatches, message.envelope.kind == .batch else { return try await onMessage(message) }
            let (messages, dropped) = ServerMessage.elements(of: message)
            if dropped > 0 { Self.warnDropped(dropped, of: message, logger: logger) }
            for element in messages { try await onMessage(element) }
        }
        switch format {
        case .json: return try await readJSON(from: &response, onMessage: handler)
        case .eventStream: return try await readEventStream(from: &response, onMessage: handler)
        }
    }

    private func readJSON(
        from response: inout HTTPResponse,
        onMessage: (ServerMessage) async throws -> Void
    ) async throws -> ReplySummary {
        var body: [UInt8] = []
        while let chunk = try await response.nextChunk() {
            guard body.count + chunk.count <= maxMessageBytes else { throw tooLarge() }
            // A reply usually arrives as one chunk (see `Transfer.holdLimit`): keep it rather than copy it.
            if body.isEmpty { body = chunk } else { body.append(contentsOf: chunk) }
            response.acknowledge(chunk.count)
        }
        var summary = ReplySummary()
        if body.allSatisfy({ $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }) { return summary }
        do {
            try await onMessage(ServerMessage(bytes: body, envelope: try Envelope.classify(body)))
        } catch is EnvelopeError {
            summary.invalidPayload = body
        }
        return summary
    }

    private func readEventStream(
        from response: inout HTTPResponse,
        onMessage: (ServerMessage) async throws -> Void
    ) async throws -> ReplySummary {
        var parser = SSEParser(maxEventBytes: maxMessageBytes)
        var summary = ReplySummary()
        var pending: [ServerSentEvent] = []
        do {
            while let chunk = try await response.nextChunk() {
                try parser.feed(chunk) { pending.append($0) }
                response.acknowledge(chunk.count)
                try await deliver(&pending, into: &summary, onMessage: onMessage)
            }
            try parser.finish { pending.append($0) }
            try await deliver(&pending, into: &summary, onMessage: onMessage)
        } catch is SSEParserError {
            throw tooLarge()
        }
        if let id = parser.lastEventID {
            if ServerHeaderValue.isAllowed(id) { summary.lastEventID = id } else {
                summary.refusedEventID = ServerHeaderValue.describe(id)
            }
        }
        summary.retry = parser.retry
        return summary
    }

    /// Events typed other than `message` (the default) are not MCP messages; empty data is a priming event.
    private func deliver(
        _ pending: inout [ServerSentEvent],
        into summary: inout ReplySummary,
        onMessage: (ServerMessage) async throws -> Void
    ) async throws {
        guard !pending.isEmpty else { return }
        let events = pending
        pending.removeAll(keepingCapacity: true)
        for event in events where event.type == "message" && !event.data.isEmpty {
            do {
                try await onMessage(ServerMessage(bytes: event.data, envelope: try Envelope.classify(event.data)))
            } catch is EnvelopeError {
                if summary.invalidPayload == nil { summary.invalidPayload = event.data }
            }
        }
    }

    static func warnDropped(_ dropped: Int, of batch: ServerMessage, logger: Logger?) {
        logger?.warning("dropped elements of the server's batch that are not a JSON-RPC message", metadata: [
            "dropped": "\(dropped)", "elements": "\(batch.envelope.batchElements.count)",
            "body": "\(BridgeError.excerpt(batch.bytes, limit: 200))",
        ])
    }

    private func tooLarge() -> BridgeError {
        BridgeError(.replyTooLarge, "the server's reply exceeded --max-message-bytes (\(maxMessageBytes) bytes); "
            + "raise the limit if such replies are expected")
    }
}
