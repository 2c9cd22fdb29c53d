import BridgeHTTP
import Logging

/// The one way out of the process: every HTTP exchange (POSTs, GET streams, DELETE, the 2024-11-05 transport,
/// `check` and its health probe) is sent through this chain, outermost first.
///
/// Retry sees each exchange as a whole; redirects are followed inside each attempt; authorization (OAuth) and AWS
/// SigV4 signing (each only when on) see every attempt and every hop, signing last with its own URL and a fresh
/// date; the logging line is written for every response; transport failures become `BridgeError`s right above
/// libcurl. The chain is one concrete generic type: no existential call per exchange.
typealias Pipeline = RetryMiddleware<
    RedirectMiddleware<
        AuthorizationMiddleware<SigningMiddleware<LoggingMiddleware<TransportFailureMiddleware<CurlDriver>>>>
    >
>

extension Pipeline {
    init(driver: CurlDriver, location: EndpointLocation, retry: RetryPolicy, oauth: OAuthSession?, origin: String,
         signing: AWSRequestSigning?, logger: Logger) {
        let network = TransportFailureMiddleware(next: driver)
        let logged = LoggingMiddleware(next: network, logger: logger)
        let signed = SigningMiddleware(next: logged, signing: signing)
        let authorized = AuthorizationMiddleware(next: signed, oauth: oauth, origin: origin)
        let redirected = RedirectMiddleware(next: authorized, location: location, logger: logger)
        self.init(next: redirected, policy: retry, logger: logger)
    }
}
