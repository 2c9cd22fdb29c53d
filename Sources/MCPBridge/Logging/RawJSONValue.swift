/// A metadata value that is already JSON text (a request id as the host wrote it: `7` or `"a"`): a JSON log line
/// embeds it as that value, a text line shows the text.
struct RawJSONValue: CustomStringConvertible, Sendable {
    let json: String
    var description: String { json }
}
