/// One edit to a host's file: the bytes in `range` replaced by `replacement` (an insertion has an empty range).
///
/// Every change the bridge makes is a list of these, applied to the original bytes; nothing outside the ranges is
/// touched, which is what keeps a user's comments and formatting, and what the dry-run diff shows.
package struct ConfigSplice: Sendable, Equatable {
    package var range: Range<Int>
    package var replacement: [UInt8]

    package init(range: Range<Int>, replacement: [UInt8]) {
        self.range = range
        self.replacement = replacement
    }

    package init(inserting text: String, at offset: Int) {
        self.init(range: offset..<offset, replacement: Array(text.utf8))
    }

    package init(replacing range: Range<Int>, with text: String) {
        self.init(range: range, replacement: Array(text.utf8))
    }

    /// `bytes` with every splice applied; splices must not overlap.
    package static func apply(_ splices: [ConfigSplice], to bytes: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(bytes.count + splices.reduce(0) { $0 + $1.replacement.count })
        var cursor = 0
        for splice in splices.sorted(by: Self.inOrder) {
            result += bytes[cursor..<splice.range.lowerBound]
            result += splice.replacement
            cursor = splice.range.upperBound
        }
        result += bytes[cursor...]
        return result
    }

    /// File order; at one offset, insertions keep the order they were made in (`sorted` is stable).
    package static func inOrder(_ lhs: ConfigSplice, _ rhs: ConfigSplice) -> Bool {
        lhs.range.lowerBound < rhs.range.lowerBound
    }
}
