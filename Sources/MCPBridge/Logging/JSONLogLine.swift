import Logging

/// One stderr line as a JSON object (`--log-format json`), for log collectors.
///
/// Stable keys: `ts` (RFC 3339 UTC with milliseconds), `level` (swift-log's names: `debug`, `info`, `warning`,
/// `error`…), `msg`, then every metadata key as it is logged (`mcp.method`, `http.status`…). A metadata key that
/// would shadow one of the three is written as `meta.<key>`. Values are strings, except numbers the bridge logs as
/// numbers (the timing record, `--stats`) and lists and maps (arrays and objects). Every secret value is masked in
/// each string before it is encoded, as in text lines (`SecretValues`); URLs are already redacted by whoever logs
/// them (`Redaction`).
enum JSONLogLine {
    static let reservedKeys: Set<String> = ["ts", "level", "msg"]

    static func format(level: Logger.Level, message: String, metadata: Logger.Metadata,
                       timestamp: String = UTCTimestamp.now()) -> String {
        var line = #"{"ts":"# + quoted(timestamp) + #","level":"# + quoted(level.rawValue)
        line += #","msg":"# + quoted(redacted(message))
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            let name = reservedKeys.contains(key) ? "meta." + key : key
            line += "," + quoted(redacted(name)) + ":" + encode(value)
        }
        return line + "}"
    }

    private static func redacted(_ text: String) -> String {
        SecretValues.shared.redact(text)
    }

    private static func encode(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string):
            return quoted(redacted(string))
        case .stringConvertible(let convertible):
            switch convertible {
            case let number as Int: return String(number)
            case let number as Double where number.isFinite: return String(number)
            case let flag as Bool: return flag ? "true" : "false"
            case let raw as RawJSONValue: return redacted(raw.json)
            default: return quoted(redacted(convertible.description))
            }
        case .array(let values):
            return "[" + values.map(encode).joined(separator: ",") + "]"
        case .dictionary(let dictionary):
            let members = dictionary.keys.sorted().compactMap { key in
                dictionary[key].map { quoted(redacted(key)) + ":" + encode($0) }
            }
            return "{" + members.joined(separator: ",") + "}"
        }
    }

    /// A JSON string literal. Controls, DEL, C1 and U+2028/2029 are escaped as well as `"` and `\`, so a hostile
    /// server's text can neither end the line nor restyle a terminal that shows it.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}"
                || scalar == "\u{2029}":
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
