/// How stderr lines are written (`--log-format`): for people (`text`, the default: what desktop hosts show) or
/// for log collectors (`json`: one object per line with the keys `JSONLogLine` documents).
public enum LogFormat: String, Sendable, CaseIterable {
    case text
    case json
}
