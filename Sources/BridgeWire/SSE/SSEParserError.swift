/// Why an event stream had to be abandoned.
///
/// Kept deliberately tiny: the only failure an event stream can have is being too big, because every other
/// malformation (unknown fields, stray bytes, bad `retry` values) is defined by WHATWG to be ignored.
public enum SSEParserError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A single event's data, or a single line, grew past the parser's `maxEventBytes`. This bounds memory against a
    /// server that streams without ever sending a line break or a blank line.
    case eventTooLarge(limit: Int)

    public var description: String {
        switch self {
        case .eventTooLarge(let limit):
            "server-sent event exceeds the \(limit)-byte limit"
        }
    }
}
