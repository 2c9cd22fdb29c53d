/// Which MCP era the bridge speaks to the server (`--protocol`).
///
/// The host speaks whatever era it speaks; when the server's era differs, the bridge translates (see `Era/`).
/// `auto` asks the server first, as the 2026-07-28 spec tells a dual-era client to; the two fixed modes skip that
/// round trip and never change their mind, for deployments that know what they run.
public enum ProtocolMode: String, Sendable, CaseIterable {
    /// Probe `server/discover` once: a modern answer means 2026-07-28, anything else the 2025 handshake era; a 2025
    /// host whose dual-era server keeps a session for it stays in its own era until that session is lost.
    case auto
    /// Always the handshake era (`initialize`, sessions): 2024-11-05 … 2025-11-25 servers.
    case legacy
    /// Always 2026-07-28 (stateless, `_meta` on every request); legacy hosts are translated.
    case modern
}
