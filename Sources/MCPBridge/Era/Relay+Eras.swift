import Logging
import BridgeWire

/// Choosing, per request, between relaying as is and translating between the host's era and the server's.
extension Relay {
    /// A request carrying 2026-07-28 `_meta` is a modern host's; any other request is a 2025-era host's. The
    /// server's era comes from `--protocol` (probed once in `auto`). When they match, the request goes out as the
    /// host wrote it; otherwise it is translated.
    func relayInServerEra(_ request: HostRequest, reprobed: Bool = false) async throws {
        let hostIsModern = request.modern != nil
        if hostIsModern, translation.eras.mode == .modern { return try await relayDirect(request) }
        let era = try await translation.eras.era(probe: { await self.probeServerEra() })
        do {
            switch (hostIsModern, era) {
            case (true, .modern), (false, .legacy): try await relayDirect(request)
            case (false, .modern(let facts)): try await relayLegacyHostToModern(request, facts: facts)
            case (true, .legacy): try await relayModernHostToLegacy(request)
            }
        } catch let error as BridgeError where Self.suggestsOtherEra(error, modern: era.isModern) {
            // Refused the way only the other era refuses, so the request did not run: ask again, send it again.
            guard !reprobed, translation.eras.mode == .auto else { throw error }
            let text = "the server no longer answers like a \(era.isModern ? "2026-07-28" : "2025-era") server; "
                + "asking it again which era it speaks"
            logger.warning("\(text)")
            translation.eras.forget()
            try await relayInServerEra(request, reprobed: true)
        }
    }

    /// A failure that hints the server changed era since the probe (redeployed): a modern server refusing a
    /// request the way only a legacy one would, or a legacy one answering with a 2026-07-28 error.
    private static func suggestsOtherEra(_ error: BridgeError, modern: Bool) -> Bool {
        if error.code == .serverChangedEra { return true }
        guard error.code == .httpStatus else { return false }
        let code = error.bodyExcerpt.flatMap { Envelope.number(atPath: ["error", "code"], in: Array($0.utf8)) }
        if modern { return refusesStreamableHTTP(error) && code != -32601 }
        return code == UnsupportedVersion.code
    }
}
