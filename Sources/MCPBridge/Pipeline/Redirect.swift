import BridgeHTTP

/// Which HTTP redirects the bridge follows, and where to.
///
/// Servers move endpoints (`/mcp` → `/mcp/` is common with Starlette), so same-origin redirects are followed with
/// the same method and body (301, 302, 307, 308: an MCP POST must stay a POST). A redirect to another origin is
/// never followed: the request carries the user's headers, typically credentials, and they must not reach a server
/// the user did not name.
enum Redirect {
    static let followed: Set<Int> = [301, 302, 307, 308]
    static let maxHops = 5

    enum Target: Equatable {
        case sameOrigin(String)
        case otherOrigin(String)
        case invalid
    }

    /// Resolves a `Location` header against the URL that answered with it.
    static func resolve(_ location: String, against current: String) -> Target {
        guard let base = try? ServerURLParser.parse(current) else { return .invalid }
        let location = location.trimmingSpaces()
        let lowered = location.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") {
            guard let target = try? ServerURLParser.parse(location) else { return .invalid }
            return target.origin == base.origin ? .sameOrigin(target.absoluteString)
                : .otherOrigin(Redaction.redactURL(target.absoluteString))
        }
        if location.hasPrefix("//") { return .otherOrigin(Redaction.redactURL(location)) }
        if location.hasPrefix("/") { return .sameOrigin(base.origin + location) }
        guard !location.isEmpty else { return .invalid }
        let directory = base.path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
            .joined(separator: "/")
        return .sameOrigin(base.origin + directory + "/" + location)
    }
}
