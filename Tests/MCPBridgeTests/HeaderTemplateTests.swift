import Testing

@testable import BridgeHTTP
@testable import MCPBridge

struct HeaderTemplateTests {
    static let environment = ["TOKEN": "t0k3n", "A": "alpha", "B": "beta", "SPACED": "Bearer xyz", "EMPTY": ""]

    @Test(arguments: [
        ("Authorization: Bearer ${TOKEN}", "Authorization", "Bearer t0k3n"),
        ("Authorization:Bearer ${TOKEN}", "Authorization", "Bearer t0k3n"),
        ("Authorization:${SPACED}", "Authorization", "Bearer xyz"),
        ("X-Pair: Bearer ${A}-${B}", "X-Pair", "Bearer alpha-beta"),
        ("X-Twice: ${A}${A}", "X-Twice", "alphaalpha"),
        ("X-Plain: value with  spaces  ", "X-Plain", "value with  spaces"),
        ("  X-Trim:\t value\t", "X-Trim", "value"),
        ("X-Colon: a:b:c", "X-Colon", "a:b:c"),
        ("X-Empty:", "X-Empty", ""),
        ("X-Empty-Var: ${EMPTY}", "X-Empty-Var", ""),
        ("X-Dollar: $TOKEN", "X-Dollar", "$TOKEN"),
        ("X-Open: ${TOKEN", "X-Open", "${TOKEN"),
        ("X-Braces: ${}-${A}", "X-Braces", "${}-alpha"),
        ("X-Unicode: grüße", "X-Unicode", "grüße"),
        ("weird!#$%&'*+-.^_`|~name: v", "weird!#$%&'*+-.^_`|~name", "v"),
    ])
    func parsesAndExpands(argument: String, name: String, value: String) throws {
        let (header, warnings) = try HeaderTemplate.parse(argument, environment: Self.environment)
        #expect(header == HTTPHeader(name: name, value: value))
        #expect(warnings.isEmpty)
    }

    @Test func unsetVariableBecomesEmptyWithAWarningNamingOnlyTheVariable() throws {
        let (header, warnings) = try HeaderTemplate.parse(
            "Authorization: Bearer ${MISSING}${MISSING}${TOKEN}",
            environment: Self.environment
        )
        #expect(header.value == "Bearer t0k3n")
        #expect(warnings.count == 1)
        let warning = try #require(warnings.first)
        #expect(warning.contains("MISSING"))
        #expect(warning.contains("Authorization"))
        for secret in Self.environment.values where !secret.isEmpty {
            #expect(!warning.contains(secret))
        }
    }

    @Test(arguments: [
        ("Authorization Bearer xyz", HeaderTemplateError.missingColon),
        ("", .missingColon),
        (": value", .emptyName),
        ("Author ization: x", .invalidName),
        ("Authorization : x", .invalidName),
        ("Na(me): x", .invalidName),
        ("Nämé: x", .invalidName),
    ])
    func refusesMalformedArguments(argument: String, error: HeaderTemplateError) {
        #expect(throws: error) { try HeaderTemplate.parse(argument, environment: [:]) }
        #expect(error.description.contains("Name: value"))
        #expect(!error.description.contains("xyz"))
    }

    @Test(arguments: [
        ("X-Evil: ${INJECT}", ["INJECT"]),
        ("X-Evil: ${LF}", ["LF"]),
        ("X-Evil: ${NUL}", ["NUL"]),
        ("X-Evil: ${ESC}", ["ESC"]),
        ("X-Evil: ${A} ${INJECT}", ["INJECT"]),
        ("X-Evil: a\r\nX-Admin: 1", []),
    ])
    func refusesControlCharactersAfterExpansion(argument: String, culprits: [String]) {
        let environment = [
            "INJECT": "x\r\nX-Admin: 1", "LF": "token\n", "NUL": "a\u{0}b", "ESC": "\u{1B}[31m", "A": "alpha",
        ]
        let expected = HeaderTemplateError.invalidValue(name: "X-Evil", variables: culprits)
        #expect(throws: expected) { try HeaderTemplate.parse(argument, environment: environment) }
        #expect(expected.description.contains("X-Evil"))
        #expect(!expected.description.contains("X-Admin"))
        for culprit in culprits {
            #expect(expected.description.contains("${\(culprit)}"))
        }
    }

    @Test func duplicateNamesLastWinsInPlaceCaseInsensitively() throws {
        let parsed = try HeaderTemplate.parse(
            ["Authorization: Bearer one", "X-Other: o", "authorization: Bearer ${TOKEN}"],
            environment: Self.environment
        )
        #expect(
            parsed.headers == [
                HTTPHeader(name: "authorization", value: "Bearer t0k3n"),
                HTTPHeader(name: "X-Other", value: "o"),
            ])
        #expect(parsed.warnings == ["header authorization given more than once; using the last value"])
    }

    @Test func collectsWarningsFromEveryArgument() throws {
        let parsed = try HeaderTemplate.parse(["X-A: ${NOPE1}", "X-B: ${NOPE2}"], environment: [:])
        #expect(parsed.headers.map(\.value) == ["", ""])
        #expect(parsed.warnings.count == 2)
        #expect(parsed.warnings[0].contains("NOPE1"))
        #expect(parsed.warnings[1].contains("NOPE2"))
    }

    @Test func firstMalformedArgumentStopsParsing() {
        #expect(throws: HeaderTemplateError.missingColon) {
            try HeaderTemplate.parse(["X-A: 1", "broken", "X-B: 2"], environment: [:])
        }
    }

    /// A space followed by a combining mark is one `Character` that is not `" "`; trimming by `Character` left the
    /// space in the value (regression: Fuzz/targets/header.swift).
    @Test func trimsSpacesBeforeACombiningMark() throws {
        let (header, _) = try HeaderTemplate.parse("X-Mark: \u{301}v \t", environment: [:])
        #expect(header.value.unicodeScalars.elementsEqual("\u{301}v".unicodeScalars))
        let (expanded, _) = try HeaderTemplate.parse("X-Mark:${M}", environment: ["M": "\t \u{744}x \u{301} "])
        #expect(expanded.value.unicodeScalars.elementsEqual("\u{744}x \u{301}".unicodeScalars))
    }

    @Test func noArgumentsGiveNoHeaders() throws {
        #expect(try HeaderTemplate.parse([], environment: [:]) == HeaderTemplate.ParsedHeaders())
    }
}
