import BridgeWire
import Synchronization

/// A 2026-07-28 host's `subscriptions/listen` requests, served by the bridge from a legacy server's GET stream:
/// each list-changed or resource-updated notification goes to every listen that asked for it, tagged with that
/// listen's id as `_meta` `subscriptionId`, as a modern server would send it.
final class ListenRegistry: Sendable {
    struct Interest: Sendable {
        var tools = false
        var prompts = false
        var resources = false
        var resourceURIs: Set<String> = []

        /// Reads `params.notifications` of a `subscriptions/listen` request.
        init(request bytes: [UInt8]) {
            func flag(_ name: String) -> Bool {
                guard let value = try? JSONScanner.value(atPath: ["params", "notifications", name], in: bytes) else {
                    return false
                }
                return value.kind == .bool && bytes[value.range.lowerBound] == UInt8(ascii: "t")
            }
            tools = flag("toolsListChanged")
            prompts = flag("promptsListChanged")
            resources = flag("resourcesListChanged")
            if let list = try? JSONScanner.value(atPath: ["params", "notifications", "resourceSubscriptions"],
                                                 in: bytes), list.kind == .array {
                for element in (try? JSONScanner.elements(of: list.range, in: bytes)) ?? [] where element.kind == .string {
                    if let uri = try? JSONScanner.string(at: element.range, in: bytes) { resourceURIs.insert(uri) }
                }
            }
        }

        func wants(_ method: String, uri: String?) -> Bool {
            switch method {
            case "notifications/tools/list_changed": tools
            case "notifications/prompts/list_changed": prompts
            case "notifications/resources/list_changed": resources
            case "notifications/resources/updated": uri.map(resourceURIs.contains) ?? false
            default: false
            }
        }
    }

    private let state = Mutex<[RequestID: Interest]>([:])

    func add(_ id: RequestID, _ interest: Interest) {
        state.withLock { $0[id] = interest }
    }

    func remove(_ id: RequestID) {
        state.withLock { _ = $0.removeValue(forKey: id) }
    }

    /// The listens that want a notification.
    func listeners(for method: String, uri: String?) -> [RequestID] {
        state.withLock { $0.compactMap { $0.value.wants(method, uri: uri) ? $0.key : nil } }
    }
}
