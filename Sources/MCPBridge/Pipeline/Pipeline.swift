import BridgeHTTP
import Logging

/// The one way out of the process: every HTTP exchange (POSTs, GET streams, DELETE, the 2024-11-05 transport,
/// `check` and its health probe) is sent through this chain, outermost first.
///
/// Retry sees each exchange as a whole; redirects are followed inside each attempt; the logging line is written for
/// every hop; transport failures become `BridgeError`s right above libcurl. Authorization and request signing go
/// between `RedirectMiddleware` and `LoggingMiddleware`, so every attempt and every hop is authorized (and signed
/// last, with its final URL). The chain is one concrete generic type: no existential call per exchange.
typealias Pipeline = RetryMiddleware<
    RedirectMiddleware<AuthorizationMiddleware<LoggingMiddleware<TransportFailureMiddleware<CurlDriver>>>>
>

extension Pipeline {
    init(driver: CurlDriver, location: EndpointLocation, retry: RetryPolicy, oauth: OAuthSession?, origin: String,
         logger: Logger) {
        let network = TransportFailureMiddleware(next: driver)
        let logged = LoggingMiddleware(next: network, logger: logger)
        let authorized = AuthorizationMiddleware(next: logged, oauth: oauth, origin: origin)
        let redirected = RedirectMiddleware(next: authorized, location: location, logger: logger)
        self.init(next: redirected, policy: retry, logger: logger)
    }
}
