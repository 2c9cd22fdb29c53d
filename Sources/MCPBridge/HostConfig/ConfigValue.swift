import BridgeWire

/// A value the bridge writes into a host's file (a server entry, its `args`), rendered in the file's own layout.
package indirect enum ConfigValue: Sendable {
    case string(String)
    case array([ConfigValue])
    /// Members in the order they are written.
    case object([(String, ConfigValue)])

    /// The value's JSON text as it would sit on a line indented by `indent`: nested lines indented one `layout`
    /// unit further, as `JSON.stringify(value, null, 2)` (what Claude Desktop and Cursor write) lays them out.
    /// `multiline: false` puts an array or object on one line (`["a", "b"]`), for files written that way.
    package func text(indent: String, layout: ConfigLayout, multiline: Bool = true) -> String {
        switch self {
        case .string(let value):
            return JSONString.quote(value)
        case .array(let elements):
            guard !elements.isEmpty else { return "[]" }
            let items = elements.map { $0.text(indent: indent + layout.unit, layout: layout, multiline: multiline) }
            return Self.joined(items, open: "[", close: "]", indent: indent, layout: layout, multiline: multiline)
        case .object(let members):
            guard !members.isEmpty else { return "{}" }
            let items = members.map { key, value in
                JSONString.quote(key) + ": " + value.text(indent: indent + layout.unit, layout: layout,
                                                          multiline: multiline)
            }
            return Self.joined(items, open: "{", close: "}", indent: indent, layout: layout, multiline: multiline)
        }
    }

    private static func joined(_ items: [String], open: String, close: String, indent: String, layout: ConfigLayout,
                               multiline: Bool) -> String {
        guard multiline else { return open + items.joined(separator: ", ") + close }
        let inner = indent + layout.unit
        return open + layout.newline + items.map { inner + $0 }.joined(separator: "," + layout.newline)
            + layout.newline + indent + close
    }
}
