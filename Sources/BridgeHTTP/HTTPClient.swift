/// Performs one HTTP exchange: sends `request` and hands the response to `reading`, which consumes the body.
///
/// The reader runs inside the exchange rather than after it, so a layer wrapped around a client (a middleware: retry,
/// redirects, authorization, signing) sees the outcome of the whole exchange, body included, and can send the
/// request again when it learns, even mid-body, that the attempt failed. Layers are generic over the client they
/// wrap, so a composed pipeline is one concrete type with no existential call per exchange.
package protocol HTTPClient: Sendable {
    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply
}
