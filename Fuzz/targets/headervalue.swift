// Fuzz target: server values the bridge would send back in a request header
// (Sources/BridgeHTTP/URLs/ServerHeaderValue.swift: Mcp-Session-Id, Last-Event-ID) and cookies the server sets
// (Sources/BridgeHTTP/SetCookieGuard.swift).
//
// Input: the value's bytes (decoded as UTF-8 with repair, as a header value is).
//
// Invariants: a value is allowed exactly when it is non-empty and every byte is visible ASCII (0x21–0x7E); what a
// refusal says of a value (`describe`, which the session id's error quotes) has no control byte and depends on
// nothing but the value's length and first refused byte (so it cannot repeat it); a Set-Cookie is refused exactly
// when a byte is outside 0x20–0x7E, with a message that likewise has no control byte and names only the refused
// byte.

import BridgeHTTP
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size, fuzzOne)
}

func fuzzOne(_ input: [UInt8]) {
    let value = String(decoding: input, as: UTF8.self)
    let bytes = Array(value.utf8)
    let visible = !bytes.isEmpty && bytes.allSatisfy { (0x21...0x7E).contains($0) }
    check(ServerHeaderValue.isAllowed(value) == visible, "isAllowed(\(value.debugDescription)) is wrong")
    if !visible {
        checkMessage(ServerHeaderValue.describe(value),
                     blind: ServerHeaderValue.describe(blinded(bytes, allowed: 0x21...0x7E)))
    }
    let printable = bytes.allSatisfy { (0x20...0x7E).contains($0) }
    let refusal = SetCookieGuard.refusal(name: "Set-Cookie", value: value)
    check((refusal == nil) == printable, "cookie \(value.debugDescription) judged wrongly")
    if let refusal {
        checkMessage(refusal, blind: SetCookieGuard.refusal(name: "Set-Cookie", value: blinded(bytes, allowed: 0x20...0x7E)))
    }
    check(SetCookieGuard.refusal(name: "X-Other", value: value) == nil, "a header other than Set-Cookie refused")
}

/// A refusal has no control byte and is the refusal of the blinded value (nothing of the value but its length and
/// first refused byte).
func checkMessage(_ message: String, blind: String?) {
    check(!message.utf8.contains { $0 < 0x20 || $0 == 0x7F }, "control byte in \(message.debugDescription)")
    check(message == blind, "the message depends on the value: \(message.debugDescription)")
}

/// `bytes` with every allowed byte replaced by "x": the same length and the same first refused byte.
func blinded(_ bytes: [UInt8], allowed: ClosedRange<UInt8>) -> String {
    guard let first = bytes.firstIndex(where: { !allowed.contains($0) }) else {
        return String(repeating: "x", count: bytes.count)
    }
    var blind = [UInt8](repeating: UInt8(ascii: "x"), count: bytes.count)
    blind[first] = bytes[first]
    // A byte of a multi-byte character: keep the character whole, so the text stays the same length in UTF-8.
    var end = first + 1
    while end < bytes.count, bytes[end] & 0xC0 == 0x80, bytes[first] >= 0xC0 {
        blind[end] = bytes[end]
        end += 1
    }
    return String(decoding: blind, as: UTF8.self)
}
