import Foundation

/// The protocol era a scripted host speaks: the rows of the interoperability matrix.
///
/// Each era fixes what the host may send and what it can understand back, so a cell of the matrix fails only when the
/// bridge hands a host something its own era cannot carry (or nothing at all).
enum HostEra: String, CaseIterable, Sendable {
    case v2024_11_05 = "2024-11-05"
    case v2025_06_18 = "2025-06-18"
    case v2025_11_25 = "2025-11-25"
    case v2026_07_28 = "2026-07-28"

    /// 2026-07-28 removed `initialize`; every earlier era starts with the handshake.
    var isModern: Bool { self == .v2026_07_28 }

    /// Elicitation arrived in 2025-06-18: a 2024-11-05 host has no capability to declare and no way to answer it.
    var canElicit: Bool { self != .v2024_11_05 }

    /// What the host declares, in `initialize` (legacy) or in every request's `_meta` (modern).
    var capabilities: [String: Any] { canElicit ? ["elicitation": [String: Any]()] : [:] }

    /// Versions a legacy host of this era accepts back from `initialize`: its own or an older handshake version
    /// (the spec says it should disconnect otherwise), never the handshake-less 2026-07-28.
    var acceptableNegotiatedVersions: Set<String> {
        let handshake = ["2024-11-05", "2025-03-26", "2025-06-18", "2025-11-25"]
        return Set(handshake.filter { $0 <= rawValue })
    }

    static var clientInfo: [String: Any] { ["name": "matrix-host", "version": "1.0.0"] }

    /// The `_meta` a 2026-07-28 host puts on every request (SEP-2575): version, capabilities, client info.
    var modernMeta: [String: Any] {
        [
            "io.modelcontextprotocol/protocolVersion": rawValue,
            "io.modelcontextprotocol/clientCapabilities": capabilities,
            "io.modelcontextprotocol/clientInfo": Self.clientInfo,
        ]
    }

    /// `params` as this era sends them: a modern host merges its `_meta` keys with the request's own (`extraMeta`,
    /// e.g. a progress token); a legacy host sends only the request's own.
    func params(_ params: [String: Any], extraMeta: [String: Any] = [:]) -> [String: Any] {
        var meta = isModern ? modernMeta : [:]
        meta.merge(extraMeta) { _, new in new }
        var merged = params
        if !meta.isEmpty { merged["_meta"] = meta }
        return merged
    }
}

/// The things every cell of the matrix tries, in this order. `elicit` asks through the SDK's era-neutral resolver
/// (`input_required` in 2026-07-28, `elicitation/create` mid-call in 2025); `ctx.elicit` through the legacy API,
/// which only a server-to-client request can carry.
enum InteropCheck: String, CaseIterable, Sendable {
    case list, call, progress, elicit
    case contextElicit = "ctx.elicit"

    /// The tool each elicitation check calls.
    var elicitingTool: String { self == .contextElicit ? "ask_name_direct" : "ask_name" }
}

/// How one check went: passed, or failed with a sentence a reader can act on.
enum CheckOutcome: Sendable, Equatable {
    case pass
    case fail(String)

    var failure: String? {
        if case .fail(let reason) = self { return reason }
        return nil
    }
}

/// Compact descriptions of JSON-RPC messages for failure messages: short enough to read in a test log.
enum MessageText {
    static func json(_ object: Any) -> String {
        guard JSONSerialization.isValidJSONObject(object),
              let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys,
                                                                                      .withoutEscapingSlashes])
        else { return "\(object)" }
        return String(decoding: data, as: UTF8.self)
    }

    static func clipped(_ text: String, to limit: Int = 240) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    /// "error -32004: message (HTTP 400)", "tool error: text", "result text" or the clipped message itself.
    static func describe(_ response: [String: Any]) -> String {
        if let code = response.errorCode {
            var text = "error \(code): \(response.errorMessage ?? "")"
            if let status = response.errorData?["httpStatus"] as? Int { text += " (HTTP \(status))" }
            return clipped(text)
        }
        if let result = response.result {
            if result["isError"] as? Bool == true { return clipped("tool error: \(response.toolText ?? json(result))") }
            if let text = response.toolText { return clipped("result \"\(text)\"") }
            return clipped("result \(json(result))")
        }
        return clipped(json(response))
    }
}
