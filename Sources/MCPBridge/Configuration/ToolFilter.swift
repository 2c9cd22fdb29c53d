/// The `--ignore-tool` patterns: which tools the host must never see or call.
///
/// A pattern is a glob in which `*` matches any run of characters (including none) and every other character,
/// `?` and `.` included, matches itself; it must match the whole name, ignoring case (mcp-remote's documented
/// behaviour).
///
/// Matching is the classic greedy algorithm that remembers only the most recent `*`: when a later literal run
/// fails, that star absorbs one more character and matching resumes from there. Earlier stars never need
/// revisiting (whatever they matched, the latest star can match a superset of the remainder), so a name is
/// checked in O(pattern × name) time in the worst case, and `a*a*a*a*b` against a long run of `a`s cannot blow up
/// the way a backtracking regex would. The filter runs on every `tools/list` and `tools/call`, and patterns come
/// from the user's config, so this bound matters.
public struct ToolFilter: Sendable, Hashable {
    /// Lowercased patterns as character arrays, consecutive stars collapsed to one.
    private let patterns: [[Character]]

    public init(patterns: [String]) {
        self.patterns = patterns.map { pattern in
            var characters: [Character] = []
            for character in pattern.lowercased() where !(character == "*" && characters.last == "*") {
                characters.append(character)
            }
            return characters
        }
    }

    /// Whether there are no patterns, so callers can skip parsing `tools/list` results entirely.
    public var isEmpty: Bool { patterns.isEmpty }

    /// Whether any pattern matches `toolName`, i.e. the tool is removed from listings and refused when called.
    public func hides(_ toolName: String) -> Bool {
        guard !patterns.isEmpty else { return false }
        let name = Array(toolName.lowercased())
        return patterns.contains { Self.matches(pattern: $0, name: name) }
    }

    private static func matches(pattern: [Character], name: [Character]) -> Bool {
        var p = 0
        var n = 0
        // Position just after the latest `*`, and the name position that star currently extends to.
        var resumePattern: Int?
        var resumeName = 0
        while n < name.count {
            if p < pattern.count, pattern[p] == "*" {
                p += 1
                resumePattern = p
                resumeName = n
            } else if p < pattern.count, pattern[p] == name[n] {
                p += 1
                n += 1
            } else if let star = resumePattern {
                resumeName += 1
                p = star
                n = resumeName
            } else {
                return false
            }
        }
        while p < pattern.count, pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }
}
