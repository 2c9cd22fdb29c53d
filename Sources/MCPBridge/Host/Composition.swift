import BridgeHTTP
import Logging

extension Bridge {
    /// The long-lived objects of one run, wired together (see the owners table on `Bridge`).
    ///
    /// Built bottom up: the pipeline and endpoint, the Streamable HTTP and SSE channels and the selector between
    /// them, the era handlers on top, and last the binding of `Inbound` (server messages outside any call) to the
    /// era router, which decides what they become for the host.
    struct Parts: Sendable {
        let sink: ReplySink
        let tools: ToolCatalog
        let session: SessionChannel
        let selector: TransportSelector
        let listener: ServerStreamListener
        let eras: EraRouter

        init(configuration: BridgeConfiguration, driver: CurlDriver, output: StdoutWriter, logger: Logger) {
            let sink = ReplySink(inFlight: InFlightTable(), output: output, logger: logger,
                                 monitor: RequestMonitor(options: configuration.reporting, logger: logger),
                                 ordered: configuration.ordered)
            let tools = ToolCatalog(filter: ToolFilter(patterns: configuration.ignoredTools), logger: logger)
            let endpoint = RemoteEndpoint(configuration: configuration, driver: driver, logger: logger)
            let inbound = Inbound()
            let state = SessionState()
            let isRepeatable: @Sendable (HostRequest) -> Bool = { request in
                RetryPolicy.safeMethods.contains(request.method) || (request.toolName.map(tools.isRepeatable) ?? false)
            }
            let http = StreamableHTTPChannel(
                endpoint: endpoint, reader: ReplyReader(maxMessageBytes: configuration.maxMessageBytes, logger: logger),
                tools: tools,
                requestTimeout: configuration.requestTimeout, inbound: inbound, logger: logger)
            let session = SessionChannel(http: http, session: state, isRepeatable: isRepeatable,
                                         isOwed: { sink.isOwed($0) })
            let retry = RetryPolicy(maxRetries: configuration.retries, budget: configuration.retryBudget)
            let selector = TransportSelector(strategy: configuration.transport, streamable: session, makeLegacy: {
                LegacySSEChannel(endpoint: endpoint, session: state, retry: retry, isRepeatable: isRepeatable,
                                 requestTimeout: configuration.requestTimeout, inbound: inbound, logger: logger)
            }, logger: logger)
            let listener = ServerStreamListener(channel: session)
            let routing = ReplyRouting(sink: sink, tools: tools, logger: logger)
            let direct = DirectHandler(channel: selector, routing: routing)
            eras = EraRouter(
                eras: EraState(mode: configuration.protocolMode, transport: configuration.transport),
                probe: EraProbe(mode: configuration.protocolMode, channel: session, logger: logger),
                direct: direct,
                legacyHost: LegacyHostTranslator(channel: session, session: state, routing: routing, direct: direct),
                modernHost: ModernHostTranslator(channel: selector, session: state, routing: routing,
                                                 startServerStream: { listener.start() }),
                channel: selector, session: state, stopServerStream: { listener.stop() })
            inbound.bind { [eras] in await eras.routeUnattached($0) }
            self.sink = sink
            self.tools = tools
            self.session = session
            self.selector = selector
            self.listener = listener
        }
    }
}
