import BridgeHTTP
import Logging

/// Follows same-origin redirects with the same method and body (see `Redirect`), and refuses the others in words.
///
/// The single owner of the endpoint URL: MCP has one endpoint, so when a request to it is redirected the endpoint
/// lives at the target from then on, for notifications and the GET stream too (Starlette answers `/mcp/` with a 307
/// to `/mcp` on every request otherwise).
struct RedirectMiddleware<Next: HTTPClient>: HTTPClient {
    let next: Next
    let location: EndpointLocation
    let logger: Logger

    private enum Hop<Reply> {
        case done(Reply)
        case redirect(status: Int, location: String)
    }

    @inline(__always)
    func send<Reply>(
        _ request: HTTPRequest, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        switch try await hop(request, last: false, context: context, reading: reading) {
        case .done(let reply): return reply
        case .redirect(let status, let target): return try await follow(request, status: status, to: target,
                                                                        context: context, reading: reading)
        }
    }

    /// One exchange; a redirect status (unless this is the last hop allowed) is drained and returned, not read.
    @inline(__always)
    private func hop<Reply>(
        _ request: HTTPRequest, last: Bool, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Hop<Reply> {
        try await next.send(request, context: context) { response in
            guard !last, Redirect.followed.contains(response.status) else { return .done(try await reading(&response)) }
            _ = await response.collect(upTo: 0)
            return .redirect(status: response.status, location: response.head.value(for: "location") ?? "")
        }
    }

    /// The slow path, apart so that the usual exchange's async frame stays small (it lives as long as the call).
    private func follow<Reply>(
        _ request: HTTPRequest, status: Int, to target: String, context: ExchangeContext,
        reading: (inout HTTPResponse) async throws -> Reply
    ) async throws -> Reply {
        var request = request
        var (status, target) = (status, target)
        for hop in 1...Redirect.maxHops {
            let url = try resolve(target, status: status, from: request.url)
            if request.url == location.current { location.move(to: url) }
            logger.debug("following a redirect", metadata: ["http.status": "\(status)"])
            request.url = url
            switch try await self.hop(request, last: hop == Redirect.maxHops, context: context, reading: reading) {
            case .done(let reply): return reply
            case .redirect(let next, let location): (status, target) = (next, location)
            }
        }
        preconditionFailure("the last hop returns its reply")
    }

    private func resolve(_ target: String, status: Int, from current: String) throws -> String {
        switch Redirect.resolve(target, against: current) {
        case .sameOrigin(let url):
            return url
        case .otherOrigin(let url):
            throw BridgeError(.httpStatus, "the server redirected (HTTP \(status)) to another origin, \(url); "
                + "mcp-bridge does not follow redirects across origins because your headers (credentials) would go "
                + "to a server you did not name: use that URL directly if you trust it", httpStatus: status)
        case .otherScheme(let scheme):
            throw BridgeError(.httpStatus, "the server redirected (HTTP \(status)) to a \(scheme): URL; mcp-bridge "
                + "follows redirects only to http(s) URLs of the same origin: check the server's configuration",
                              httpStatus: status)
        case .invalid:
            throw BridgeError(.httpStatus, "the server redirected (HTTP \(status)) without a usable Location",
                              httpStatus: status)
        }
    }
}
