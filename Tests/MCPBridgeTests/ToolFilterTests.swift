import Testing

@testable import MCPBridge

struct ToolFilterTests {
    @Test(arguments: [
        ("*", "anything", true),
        ("*", "", true),
        ("delete_file", "delete_file", true),
        ("delete_file", "DELETE_FILE", true),
        ("DELETE_*", "delete_file", true),
        ("delete_*", "delete_", true),
        ("delete_*", "delete", false),
        ("*_file", "delete_file", true),
        ("*_file", "delete_files", false),
        ("a*b*c", "abc", true),
        ("a*b*c", "aXXbYYc", true),
        ("a*b*c", "aXXcYYb", false),
        ("a*b*c", "abcabc", true),
        ("a*b*c", "abcab", false),
        ("**", "x", true),
        ("a**b", "ab", true),
        ("delete", "delete_file", false),
        ("file", "delete_file", false),
        ("elete_fil", "delete_file", false),
        ("*elete_fil", "delete_file", false),
        ("delete?file", "delete_file", false),
        ("delete?file", "delete?file", true),
        ("delete.file", "deleteXfile", false),
        ("", "", true),
        ("", "x", false),
        ("ÄNDERN*", "ändern_datei", true),
        ("*mississippi*", "xmississippix", true),
        ("*issip*", "mississippi", true),
        ("mi*ss*pi", "mississippi", true),
    ])
    func matchesAnchoredCaseInsensitiveGlobs(pattern: String, name: String, hidden: Bool) {
        #expect(ToolFilter(patterns: [pattern]).hides(name) == hidden)
    }

    @Test func anyPatternHides() {
        let filter = ToolFilter(patterns: ["delete_*", "*_admin"])
        #expect(filter.hides("delete_repo"))
        #expect(filter.hides("make_admin"))
        #expect(!filter.hides("read_file"))
    }

    @Test func emptyFilterHidesNothing() {
        let filter = ToolFilter(patterns: [])
        #expect(filter.isEmpty)
        #expect(!filter.hides("anything"))
        #expect(!ToolFilter(patterns: ["x"]).isEmpty)
    }

    /// Exponential backtracking would never finish here; the greedy matcher is quadratic at worst.
    @Test func pathologicalPatternFinishes() {
        let name = String(repeating: "a", count: 10_000)
        #expect(!ToolFilter(patterns: ["a*a*a*a*a*a*a*a*b"]).hides(name))
        #expect(!ToolFilter(patterns: ["*a*a*a*a*a*a*a*a*a*a*a*a*b*"]).hides(name))
        #expect(ToolFilter(patterns: ["a*a*a*a*a*a*a*a*a"]).hides(name))
    }
}
