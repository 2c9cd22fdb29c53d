import BridgeWire
import Synchronization

/// The `initialize` handshake the bridge runs itself when a 2026-07-28 host talks to a legacy server, run once for
/// all the host's requests (concurrent first requests share it); a failed attempt is forgotten so the next request
/// tries again.
final class LegacyLink: Sendable {
    typealias Handshake = @Sendable () async -> Result<InitializeFacts, BridgeError>
    private let state = Mutex<Task<Result<InitializeFacts, BridgeError>, Never>?>(nil)

    func facts(_ handshake: @escaping Handshake) async throws(BridgeError) -> InitializeFacts {
        let task = state.withLock { task in
            if let task { return task }
            let new = Task { await handshake() }
            task = new
            return new
        }
        let result = await task.value
        if case .failure = result { state.withLock { if $0 == task { $0 = nil } } }
        return try result.get()
    }
}

/// A legacy server's `InitializeResult`, kept as its bytes: a modern host's `server/discover` is answered from it.
struct InitializeFacts: Sendable {
    private var message: [UInt8]
    private var capabilities: Range<Int>?
    private var serverInfo: Range<Int>?
    private var instructions: Range<Int>?

    init?(_ reply: ServerMessage) {
        guard reply.envelope.kind == .response, !reply.envelope.isError, let result = reply.envelope.result else {
            return nil
        }
        message = reply.bytes
        func range(_ key: String, _ kind: JSONValueKind) -> Range<Int>? {
            guard let value = try? JSONScanner.value(atPath: [key], in: reply.bytes, root: result),
                  value.kind == kind else { return nil }
            return value.range
        }
        capabilities = range("capabilities", .object)
        serverInfo = range("serverInfo", .object)
        instructions = range("instructions", .string)
    }

    /// A 2026-07-28 `DiscoverResult` describing the legacy server (the bridge speaks the modern side for it).
    func discoverResult() -> String {
        func text(_ range: Range<Int>?) -> String? { range.map { String(decoding: message[$0], as: UTF8.self) } }
        let versions = ProtocolVersions.modern.map(JSONString.quote).joined(separator: ",")
        var result = #"{"resultType":"complete","supportedVersions":[\#(versions)],"#
            + #""capabilities":\#(text(capabilities) ?? "{}")"#
        if let instructions = text(instructions) { result += #","instructions":"# + instructions }
        result += #","ttlMs":0,"cacheScope":"private""#
        if let serverInfo = text(serverInfo) {
            result += #","_meta":{"\#(ProtocolVersions.MetaKey.serverInfo)":\#(serverInfo)}"#
        }
        return result + "}"
    }
}
