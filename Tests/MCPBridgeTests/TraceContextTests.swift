import Testing

@testable import MCPBridge

/// W3C Trace Context (level 1) `traceparent` validation, as the bridge applies it to a host's `_meta.traceparent`.
struct TraceContextTests {
    static let valid = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"

    @Test(arguments: [
        "00-0AF7651916CD43DD8448EB211C80319C-B7AD6B7169203331-01",  // uppercase hex
        "00-00000000000000000000000000000000-b7ad6b7169203331-01",  // all-zero trace id
        "00-0af7651916cd43dd8448eb211c80319c-0000000000000000-01",  // all-zero parent id
        "ff-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",  // version ff
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01-extra",  // version 00 has no more fields
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331",  // no flags
        "00_0af7651916cd43dd8448eb211c80319c_b7ad6b7169203331_01",  // wrong separators
        "0-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
        "",
    ])
    func invalidValuesAreIgnored(value: String) {
        #expect(TraceContext.normalized(value) == nil)
    }

    @Test func aValidVersion00IsPassedOnAsItIs() {
        #expect(TraceContext.normalized(Self.valid) == Self.valid)
    }

    @Test func aLaterVersionIsReadForItsFirstFieldsAndSentAs00() {
        let future = "cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-03-what-comes-later"
        #expect(TraceContext.normalized(future) == Self.valid)
        #expect(TraceContext.normalized("cc-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01x") == nil)
    }

    @Test func generatedValuesAreValidAndFresh() {
        let first = TraceContext.generated()
        #expect(TraceContext.normalized(first) == first)
        #expect(first.hasPrefix("00-") && first.hasSuffix("-01"))
        #expect(TraceContext.generated() != first)
    }

    @Test func theHostsContextIsReadFromParamsMeta() {
        let message = #"{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"x","_meta":{"#
            + #""traceparent":"\#(Self.valid)","tracestate":"a=1,b=2"}}}"#
        let context = TraceContext.hostContext(in: Array(message.utf8))
        #expect(context?.0 == Self.valid)
        #expect(context?.1 == "a=1,b=2")
        let elsewhere = #"{"jsonrpc":"2.0","id":1,"method":"x","params":{"traceparent":"\#(Self.valid)"}}"#
        #expect(TraceContext.hostContext(in: Array(elsewhere.utf8)) == nil, "only params._meta counts")
    }
}
