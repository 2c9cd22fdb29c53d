import BridgeHTTP
import BridgeRuntime
import Logging

/// One debug line per HTTP response (each attempt and redirect hop): what it was for, status, content type, and
/// how long the head took; the status also goes to the exchange's tally (the request's timing record, which is
/// written at debug too). Without debug logging the layer costs one comparison.
struct LoggingMiddleware<Next: HTTPClient>: HTTPClient {
    let next: Next
    let logger: Logger

    @inline(__always)
    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        guard logger.logLevel <= .debug else { return try await next.send(request, context: context, reading: reading) }
        let started = ContinuousClock.now
        return try await next.send(request, context: context) { response in
            context.tally?.responded(response.status)
            logger.debug("http response", metadata: [
                "mcp.method": "\(context.label)", "mcp.id": "\(context.requestID?.description ?? "-")",
                "http.method": "\(request.method.rawValue)", "http.status": "\(response.status)",
                "http.content_type": "\(response.head.mediaType ?? "-")",
                "http.elapsed_ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
            return try await reading(&response)
        }
    }
}
