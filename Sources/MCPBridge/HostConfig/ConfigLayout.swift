/// How a host's file is laid out (indent unit, line ending), read from the file so that what the bridge adds looks
/// like what was there: `claude mcp add` writes two spaces, a hand-edited VS Code file may use four or tabs.
package struct ConfigLayout: Sendable, Equatable {
    package var unit: String
    package var newline: String

    package static let standard = ConfigLayout(unit: "  ", newline: "\n")

    /// The layout of `bytes`: CRLF when the file uses it; the indent of the first indented line (the first
    /// member of the top-level object, in every host's file).
    package static func of(_ bytes: [UInt8]) -> ConfigLayout {
        var layout = ConfigLayout.standard
        if let lf = bytes.firstIndex(of: 0x0A), lf > 0, bytes[lf - 1] == 0x0D { layout.newline = "\r\n" }
        var index = 0
        while let lf = bytes[index...].firstIndex(of: 0x0A) {
            let lineStart = lf + 1
            var end = lineStart
            while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
            if end > lineStart, end < bytes.count, bytes[end] != 0x0A, bytes[end] != 0x0D {
                layout.unit = String(decoding: bytes[lineStart..<end], as: UTF8.self)
                return layout
            }
            index = lineStart
        }
        return layout
    }

    /// The whitespace that starts the line holding `offset`.
    package static func indent(ofLineAt offset: Int, in bytes: [UInt8]) -> String {
        let start = lineStart(of: offset, in: bytes)
        var end = start
        while end < bytes.count, bytes[end] == 0x20 || bytes[end] == 0x09 { end += 1 }
        return String(decoding: bytes[start..<end], as: UTF8.self)
    }

    package static func lineStart(of offset: Int, in bytes: [UInt8]) -> Int {
        var start = offset
        while start > 0, bytes[start - 1] != 0x0A { start -= 1 }
        return start
    }
}
