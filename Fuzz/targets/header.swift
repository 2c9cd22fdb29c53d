// Fuzz target: `--header` templates (Sources/BridgeHTTP/URLs/HeaderTemplate.swift).
//
// Input layout: byte 0 says how many of the NUL-separated pieces that follow are `--header` arguments (1...4);
// the other pieces are environment entries `NAME=VALUE`.
//
// Invariants: no crash; every accepted header has a non-empty RFC 9110 token name and a value with no CR, LF, NUL
// or other control character (tab excepted), without leading or trailing spaces or tabs; names are unique
// (case-insensitively); warnings and error messages never contain an environment value the arguments do not
// contain themselves (values may be secrets). A value that turns up in the messages even with every value blinded
// (see `blindedMessages`) was put together from the arguments and the messages' own text, not leaked: an unset
// `${XY}` gives "variable XY is not set" whatever `XY` is, and so contains a value " XY".

import BridgeHTTP
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size, fuzzOne)
}

func fuzzOne(_ input: [UInt8]) {
    guard let first = input.first else { return }
    let pieces = input.dropFirst().split(separator: 0, omittingEmptySubsequences: false).map {
        String(decoding: $0, as: UTF8.self)
    }
    let argumentCount = min(pieces.count, 1 + Int(first % 4))
    let arguments = Array(pieces.prefix(argumentCount))
    var environment: [String: String] = [:]
    for entry in pieces.dropFirst(argumentCount) {
        if let equals = entry.firstIndex(of: "=") {
            environment[String(entry[..<equals])] = String(entry[entry.index(after: equals)...])
        } else {
            environment[entry] = ""
        }
    }

    let fixedText =
        "header environment variable is not set; using an empty string given more than once; using the last value"
        + "\(HeaderTemplateError.missingColon)\(HeaderTemplateError.emptyName)\(HeaderTemplateError.invalidName)"
        + "\(HeaderTemplateError.invalidValue(name: "", variables: []))"
    let blindText = blindedMessages(arguments, environment)
    let secrets = environment.values.filter { value in
        value.utf8.count >= 6 && !arguments.contains { $0.contains(value) } && !fixedText.contains(value)
            && !environment.keys.contains { $0.contains(value) } && !blindText.contains(value)
    }
    func checkNoSecret(_ text: String, _ what: String) {
        for secret in secrets {
            check(!text.contains(secret), "\(what) leaks an environment value: \(text.debugDescription)")
        }
    }

    let parsed: HeaderTemplate.ParsedHeaders
    do {
        parsed = try HeaderTemplate.parse(arguments, environment: environment)
    } catch {
        checkNoSecret(error.description, "error")
        return
    }
    var names = Set<String>()
    for header in parsed.headers {
        let name = header.name.unicodeScalars
        check(!name.isEmpty, "empty name")
        check(
            name.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)
                || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0)) },
            "name \(header.name.debugDescription) is not a token")
        let value = header.value.unicodeScalars
        check(!value.contains { $0 == "\r" || $0 == "\n" }, "CR or LF in value \(header.value.debugDescription)")
        check(
            !value.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F },
            "control character in value \(header.value.debugDescription)")
        check(
            value.first != " " && value.first != "\t" && value.last != " " && value.last != "\t",
            "untrimmed value \(header.value.debugDescription)")
        // The bytes curl will send must hold no line break either.
        check(!header.value.utf8.contains(0x0A) && !header.value.utf8.contains(0x0D), "CR/LF byte in value")
        check(names.insert(header.name.lowercased()).inserted, "duplicate header \(header.name)")
    }
    for warning in parsed.warnings { checkNoSecret(warning, "warning") }
}

/// The warnings or the error message with every environment value replaced by one that holds nothing of it: empty,
/// or a lone control character where the value has one, so the same headers are refused and the same variables
/// named. What these messages contain cannot have come from an environment value.
private func blindedMessages(_ arguments: [String], _ environment: [String: String]) -> String {
    let blinded = environment.mapValues { value in
        value.unicodeScalars.contains { ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F } ? "\u{1}" : ""
    }
    do {
        return try HeaderTemplate.parse(arguments, environment: blinded).warnings.joined(separator: "\n")
    } catch {
        return error.description
    }
}
