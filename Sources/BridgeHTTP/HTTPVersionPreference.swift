/// Which HTTP version the bridge asks libcurl for (`--http1.1`, `--http2`).
///
/// The default already speaks HTTP/2 where it is offered safely: over https libcurl negotiates h2 by ALPN and
/// multiplexes requests as streams of one connection; over plain http it speaks HTTP/1.1 keep-alive. Measured on
/// loopback through nginx + TLS (Benchmarks/transport_options.py), HTTP/1.1 keep-alive was faster per call than h2
/// (h2 framing and flow control cost more CPU than reusing one connection per request in flight saves), so
/// `--http1.1` is the choice for latency to a nearby server; `--http2` is for many requests in flight to a distant
/// one (one TLS handshake, one congestion window), or servers that limit connections per client.
public enum HTTPVersionPreference: Sendable {
    /// libcurl's default: h2 by ALPN over https, HTTP/1.1 over http.
    case auto
    /// HTTP/1.1 only, one keep-alive connection per request in flight.
    case http1_1
    /// HTTP/2, requests multiplexed on one connection: by ALPN over https (HTTP/1.1 if the server lacks h2; the
    /// requests of a burst wait for the first connection's handshake to share it), by an `Upgrade: h2c` offer over
    /// http (servers that do not take it answer in HTTP/1.1).
    case http2
}
