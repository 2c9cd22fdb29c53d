/// Makes a validated JSON message safe to write as one stdio line.
///
/// Raw CR and LF bytes can only appear in JSON as insignificant whitespace (inside strings they must be escaped),
/// so replacing them with spaces keeps every byte of meaning while guaranteeing one message per line.
package enum OutputLine {
    package static func flatten(_ message: [UInt8]) -> [UInt8] {
        guard message.contains(where: { $0 == 0x0A || $0 == 0x0D }) else { return message }
        var line = message
        for index in line.indices where line[index] == 0x0A || line[index] == 0x0D {
            line[index] = 0x20
        }
        return line
    }
}
