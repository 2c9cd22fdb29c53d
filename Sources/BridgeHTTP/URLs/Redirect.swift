
/// Which HTTP redirects the bridge follows, and where to.
///
/// Servers move endpoints (`/mcp` → `/mcp/` is common with Starlette), so same-origin redirects are followed with
/// the same method and body (301, 302, 307, 308: an MCP POST must stay a POST). A redirect to another origin is
/// never followed: the request carries the user's headers, typically credentials, and they must not reach a server
/// the user did not name.
package enum Redirect {
    package static let followed: Set<Int> = [301, 302, 307, 308]
    package static let maxHops = 5

    package enum Target: Equatable {
        case sameOrigin(String)
        case otherOrigin(String)
        /// An absolute URI of a scheme the bridge never follows (`file`, `gopher`, `data`, …): the scheme, shortened.
        case otherScheme(String)
        case invalid
    }

    /// Resolves a `Location` header against the URL that answered with it, as RFC 3986 §5 says: a reference with a
    /// scheme is absolute (and refused unless http or https), anything else is relative to `current`.
    package static func resolve(_ location: String, against current: String) -> Target {
        guard let base = try? ServerURLParser.parse(current) else { return .invalid }
        let location = location.trimmingSpaces()
        guard !location.isEmpty else { return .invalid }
        switch ReferenceResolution.resolve(Substring(location), against: base) {
        case .scheme(let scheme):
            return .otherScheme(String(scheme.prefix(32)))
        case .resolved(let url):
            // Spaces and controls are not a URI's (§2); refusing them also keeps the URL parser from trimming them
            // off the resolved URL's ends, which could leave a dot segment behind.
            guard !location.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }),
                  let target = try? ServerURLParser.parse(url) else { return .invalid }
            return target.origin == base.origin ? .sameOrigin(target.absoluteString)
                : .otherOrigin(Redaction.redactURL(target.absoluteString))
        }
    }
}
