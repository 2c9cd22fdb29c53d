import BridgeHTTP

/// Turns the HTTP client's failures into the bridge's documented errors, once, for every exchange: the layers above
/// (and every caller) reason about `BridgeError` alone, whether the head never came or the body broke off.
struct TransportFailureMiddleware<Next: HTTPClient>: HTTPClient {
    let next: Next

    @inline(__always)
    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        do {
            return try await next.send(request, context: context, reading: reading)
        } catch let error as HTTPClientError {
            throw BridgeError.transport(error, requestTimeout: request.totalTimeout)
        }
    }
}
