
/// Turns `--header "Name: value"` arguments into request headers, expanding `${VAR}` from the environment.
///
/// `${VAR}` exists because hosts store their MCP config as plain JSON: users put the token in an environment
/// variable (the host's `env` block) and reference it from `args`, which keeps it out of argv listings. The
/// environment is passed in rather than read here so tests, and the caller's own logging, never touch real secrets.
///
/// Compatible with mcp-remote, with these deliberate differences:
/// - any RFC 9110 token is a valid name (mcp-remote allows only `[A-Za-z0-9_-]`);
/// - a malformed argument is an error rather than a warning, because silently dropping `Authorization` turns into
///   a baffling 401 later;
/// - an expanded value containing CR, LF, NUL or another control character is refused, since curl would send it
///   verbatim and a variable holding `"x\r\nX-Admin: 1"` would add a header of its own;
/// - surrounding spaces and tabs are trimmed after expansion, as RFC 9110 excludes them from field values.
///
/// A variable name is anything between `${` and the next `}`; `${}`, a `${` without a closing brace and a bare
/// `$VAR` are kept literally, and there is no escape syntax (as in mcp-remote). Header names compare
/// case-insensitively and the last occurrence wins (mcp-remote keeps the last value too): it replaces the earlier
/// one in place, and a warning names the header.
public enum HeaderTemplate {
    /// Expanded headers in argument order (duplicates resolved) and warnings that are safe to log: they name headers
    /// and variables but never contain a value.
    public struct ParsedHeaders: Sendable, Hashable {
        public var headers: [HTTPHeader]
        public var warnings: [String]

        public init(headers: [HTTPHeader] = [], warnings: [String] = []) {
            self.headers = headers
            self.warnings = warnings
        }
    }

    /// Parses every `--header` argument; the first malformed one stops parsing.
    public static func parse(
        _ arguments: [String],
        environment: [String: String]
    ) throws(HeaderTemplateError) -> ParsedHeaders {
        var result = ParsedHeaders()
        for argument in arguments {
            let (header, warnings) = try parse(argument, environment: environment)
            result.warnings += warnings
            let lowered = header.name.lowercased()
            if let index = result.headers.firstIndex(where: { $0.name.lowercased() == lowered }) {
                result.headers[index] = header
                result.warnings.append("header \(header.name) given more than once; using the last value")
            } else {
                result.headers.append(header)
            }
        }
        return result
    }

    /// Parses one `--header` argument.
    public static func parse(
        _ argument: String,
        environment: [String: String]
    ) throws(HeaderTemplateError) -> (header: HTTPHeader, warnings: [String]) {
        let text = argument.trimmingSpacesAndTabs()
        guard let colon = text.firstIndex(of: ":") else { throw .missingColon }
        let name = String(text[..<colon])
        guard !name.isEmpty else { throw .emptyName }
        guard name.unicodeScalars.allSatisfy(isTokenScalar) else { throw .invalidName }

        let expansion = expand(text[text.index(after: colon)...], environment: environment)
        let value = expansion.value.trimmingSpacesAndTabs()
        guard !value.unicodeScalars.contains(where: isForbiddenInValue) else {
            let culprits = expansion.variables.filter { variable in
                environment[variable]?.unicodeScalars.contains(where: isForbiddenInValue) ?? false
            }
            throw .invalidValue(name: name, variables: culprits)
        }
        let warnings = expansion.unset.map { variable in
            "header \(name): environment variable \(variable) is not set; using an empty string"
        }
        return (HTTPHeader(name: name, value: String(value)), warnings)
    }

    /// Replaces each `${VAR}`; returns the distinct variables referenced and the distinct ones that were unset.
    private static func expand(
        _ template: Substring,
        environment: [String: String]
    ) -> (value: String, variables: [String], unset: [String]) {
        var value = ""
        var variables: [String] = []
        var unset: [String] = []
        var rest = template
        while let open = rest.firstRange(of: "${") {
            let afterOpen = rest[open.upperBound...]
            guard let close = afterOpen.firstIndex(of: "}") else { break }
            value += rest[..<open.lowerBound]
            rest = afterOpen[afterOpen.index(after: close)...]
            guard close != afterOpen.startIndex else {
                value += "${}"
                continue
            }
            let variable = String(afterOpen[..<close])
            if !variables.contains(variable) { variables.append(variable) }
            if let replacement = environment[variable] {
                value += replacement
            } else if !unset.contains(variable) {
                unset.append(variable)
            }
        }
        value += rest
        return (value, variables, unset)
    }

    /// RFC 9110 `tchar`: the characters allowed in a field name.
    private static func isTokenScalar(_ scalar: Unicode.Scalar) -> Bool {
        guard scalar.isASCII else { return false }
        return scalar.properties.isAlphabetic || ("0"..."9").contains(scalar)
            || "!#$%&'*+-.^_`|~".unicodeScalars.contains(scalar)
    }

    /// Controls other than horizontal tab; CR and LF are the injection risk, NUL truncates in C.
    private static func isForbiddenInValue(_ scalar: Unicode.Scalar) -> Bool {
        (scalar.value < 0x20 && scalar != "\t") || scalar.value == 0x7F
    }
}

/// Why a `--header` argument was refused. Messages never include the argument's text, which may hold a secret.
public enum HeaderTemplateError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No `:` separating name and value.
    case missingColon
    /// Nothing before the `:`.
    case emptyName
    /// The name has a space or another character HTTP does not allow in field names.
    case invalidName
    /// The value, after `${VAR}` expansion, contains a line break or other control character.
    case invalidValue(name: String, variables: [String])

    private static let expected = "expected \"Name: value\", e.g. --header \"Authorization: Bearer ${TOKEN}\""

    public var description: String {
        switch self {
        case .missingColon:
            "invalid --header argument (no ':' found): \(Self.expected)"
        case .emptyName:
            "invalid --header argument (empty header name): \(Self.expected)"
        case .invalidName:
            "invalid --header argument (the header name may contain only letters, digits and !#$%&'*+-.^_`|~, "
                + "and no space before the ':'): \(Self.expected)"
        case .invalidValue(let name, let variables):
            "refusing header \(name): its value contains a line break or control character"
                + (variables.isEmpty
                    ? ""
                    : " after expanding " + variables.map { "${\($0)}" }.joined(separator: ", "))
                + "; a value must be a single line (check the environment variable for a trailing newline)"
        }
    }
}

extension StringProtocol {
    /// HTTP's optional whitespace is only SP and HTAB; other whitespace is left for the control-character check.
    ///
    /// Trims scalars, not `Character`s: a space followed by a combining mark is one `Character` that is not `" "`,
    /// which left a leading space in the value (found by Fuzz/targets/header.swift).
    fileprivate func trimmingSpacesAndTabs() -> Substring {
        let scalars = Substring(self).unicodeScalars
        let isOWS: (Unicode.Scalar) -> Bool = { $0 == " " || $0 == "\t" }
        guard let start = scalars.firstIndex(where: { !isOWS($0) }), let end = scalars.lastIndex(where: { !isOWS($0) })
        else {
            return ""
        }
        return Substring(scalars[start...end])
    }
}
