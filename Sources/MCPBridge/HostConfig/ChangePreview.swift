/// The dry-run view of a change: a unified diff of the lines the splices touch (whole lines, one hunk per group of
/// touching splices, line numbers of the old and the new file), with secrets masked.
package enum ChangePreview {
    package static func diff(_ change: ConfigChange) -> String {
        let old = change.original ?? []
        var output = "--- \(change.original == nil ? "/dev/null" : change.path)\n+++ \(change.path)\n"
        var shift = 0  // new-file line number minus old-file line number, before the current hunk
        for group in groups(change.splices.sorted(by: ConfigSplice.inOrder), in: old) {
            let start = ConfigLayout.lineStart(of: group[0].range.lowerBound, in: old)
            let end = lineEnd(of: group[group.count - 1].range.upperBound, in: old)
            let oldText = Array(old[start..<end])
            let relative = group.map {
                ConfigSplice(range: ($0.range.lowerBound - start)..<($0.range.upperBound - start),
                             replacement: $0.replacement)
            }
            let newText = ConfigSplice.apply(relative, to: oldText)
            let oldLines = lines(oldText)
            let newLines = lines(newText)
            let firstLine = lineNumber(of: start, in: old)
            let oldStart = oldLines.isEmpty ? firstLine - 1 : firstLine  // diff's convention for an empty side
            let newStart = newLines.isEmpty ? firstLine + shift - 1 : firstLine + shift
            output += "@@ -\(oldStart),\(oldLines.count) +\(newStart),\(newLines.count) @@\n"
            output += oldLines.map { "-" + $0 + "\n" }.joined() + newLines.map { "+" + $0 + "\n" }.joined()
            shift += newLines.count - oldLines.count
        }
        return change.mask.apply(output)
    }

    /// Splices whose lines touch or overlap, together, so a line is never shown twice.
    private static func groups(_ splices: [ConfigSplice], in bytes: [UInt8]) -> [[ConfigSplice]] {
        var result: [[ConfigSplice]] = []
        var groupEnd = -1
        for splice in splices {
            let start = ConfigLayout.lineStart(of: splice.range.lowerBound, in: bytes)
            if start <= groupEnd, !result.isEmpty {
                result[result.count - 1].append(splice)
            } else {
                result.append([splice])
            }
            groupEnd = max(groupEnd, lineEnd(of: splice.range.upperBound, in: bytes))
        }
        return result
    }

    /// Just past the newline that ends the line holding `offset` (or the end of the file).
    private static func lineEnd(of offset: Int, in bytes: [UInt8]) -> Int {
        guard offset < bytes.count else { return bytes.count }
        let lf = bytes[offset...].firstIndex(of: 0x0A) ?? (bytes.count - 1)
        return lf + 1
    }

    private static func lineNumber(of offset: Int, in bytes: [UInt8]) -> Int {
        bytes[..<offset].reduce(1) { $1 == 0x0A ? $0 + 1 : $0 }
    }

    private static func lines(_ bytes: [UInt8]) -> [String] {
        guard !bytes.isEmpty else { return [] }
        var text = String(decoding: bytes, as: UTF8.self)
        if text.hasSuffix("\n") { text.removeLast() }
        return text.split(separator: "\n", omittingEmptySubsequences: false).map {
            String($0.hasSuffix("\r") ? $0.dropLast() : $0)
        }
    }
}
