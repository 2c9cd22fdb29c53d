import BridgeHTTP
import BridgeWire

/// The `x-mcp-header` annotations of one tool's `inputSchema` (MCP 2026-07-28), validated as the spec requires.
///
/// An annotation is valid only on a property reached from the schema root through `properties` keys alone, names
/// a non-empty RFC 9110 token, sits on a `string`, `integer` or `boolean` property, and is unique
/// case-insensitively. Every JSON Schema 2020-12 applicator is walked, so an annotation hidden under `items` or
/// `anyOf` is found (and makes the tool invalid) rather than silently ignored.
struct ToolHeaderSchema: Sendable, Equatable {
    struct Parameter: Sendable, Equatable {
        /// `properties` keys from the root to the annotated property.
        var path: [String]
        /// The header is `Mcp-Param-<token>`.
        var token: String
    }

    var parameters: [Parameter]

    struct Invalid: Error, Sendable, Equatable {
        var reason: String
    }

    private static let singleSubschemas: Set<String> = [
        "items", "contains", "unevaluatedItems", "additionalProperties", "propertyNames", "unevaluatedProperties",
        "not", "if", "then", "else", "contentSchema",
    ]
    private static let listSubschemas: Set<String> = ["allOf", "anyOf", "oneOf", "prefixItems"]
    private static let mapSubschemas: Set<String> = ["patternProperties", "dependentSchemas", "$defs", "definitions"]

    /// Reads the annotations of the schema at `range` in `bytes`.
    static func read(_ range: Range<Int>, in bytes: [UInt8]) throws(Invalid) -> ToolHeaderSchema {
        var parameters: [Parameter] = []
        var seen: Set<String> = []
        var stack: [([String]?, Range<Int>)] = [([], range)]
        while let (path, position) = stack.popLast() {
            guard let members = try? JSONScanner.members(of: position, in: bytes) else { continue }
            for member in members {
                switch member.key {
                case "x-mcp-header":
                    let parameter = try annotation(member, path: path, schema: position, in: bytes)
                    guard seen.insert(parameter.token.lowercased()).inserted else {
                        throw Invalid(reason: "x-mcp-header \(parameter.token) is declared twice")
                    }
                    parameters.append(parameter)
                case "properties" where member.kind == .object:
                    for property in (try? JSONScanner.members(of: member.value, in: bytes)) ?? [] {
                        stack.append((path.map { $0 + [property.key] }, property.value))
                    }
                case _ where singleSubschemas.contains(member.key):
                    stack.append((nil, member.value))
                case _ where listSubschemas.contains(member.key) && member.kind == .array:
                    for element in (try? JSONScanner.elements(of: member.value, in: bytes)) ?? [] {
                        stack.append((nil, element.range))
                    }
                case _ where mapSubschemas.contains(member.key) && member.kind == .object:
                    for entry in (try? JSONScanner.members(of: member.value, in: bytes)) ?? [] {
                        stack.append((nil, entry.value))
                    }
                default:
                    continue
                }
            }
        }
        return ToolHeaderSchema(parameters: parameters)
    }

    private static func annotation(
        _ member: JSONMember, path: [String]?, schema: Range<Int>, in bytes: [UInt8]
    ) throws(Invalid) -> Parameter {
        guard let path, !path.isEmpty else {
            throw Invalid(reason: "x-mcp-header outside a chain of `properties`")
        }
        guard member.kind == .string, let token = try? JSONScanner.string(at: member.value, in: bytes),
              !token.isEmpty, token.utf8.allSatisfy(isTokenByte)
        else { throw Invalid(reason: "x-mcp-header on \(path.joined(separator: ".")) is not an RFC 9110 token") }
        let type = Envelope.string(atPath: ["type"], in: bytes, root: schema)
        guard let type, ["string", "integer", "boolean"].contains(type) else {
            throw Invalid(reason: "x-mcp-header on \(path.joined(separator: ".")) needs a string, integer or "
                + "boolean property")
        }
        return Parameter(path: path, token: token)
    }

    private static func isTokenByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"),
             UInt8(ascii: "A")...UInt8(ascii: "Z"):
            true
        default:
            Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    /// `Mcp-Param-*` headers for a call's `arguments` (the byte range of that object): strings as is, integers in
    /// decimal, booleans as `true`/`false`; absent, null or structured values send no header.
    func headers(arguments: Range<Int>?, in bytes: [UInt8]) -> [HTTPHeader] {
        guard let arguments else { return [] }
        return parameters.compactMap { parameter in
            guard let value = try? JSONScanner.value(atPath: parameter.path, in: bytes, root: arguments) else {
                return nil
            }
            let rendered: String? = switch value.kind {
            case .string: try? JSONScanner.string(at: value.range, in: bytes)
            case .number, .bool: String(decoding: bytes[value.range], as: UTF8.self)
            default: nil
            }
            return rendered.map {
                HTTPHeader(name: "Mcp-Param-\(parameter.token)", value: HeaderValueEncoding.encode($0))
            }
        }
    }
}
