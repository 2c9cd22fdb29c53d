// Fuzz target: era translation's edits to a host's request (Sources/BridgeWire/JSONRPC/MessageSplice.swift), which
// splice `_meta` members, retry members and a new id into bytes the host wrote, and must never produce a broken
// message from a valid one.
//
// Input: one host line.
//
// Invariants, for every line that classifies as a request or notification:
// - `addingMeta` either refuses (params or `_meta` not an object) or yields a message of the same kind, id and
//   method whose `params._meta` holds the added members, with every byte of the original outside the insertion;
// - `addingParams` likewise puts its members into `params`;
// - `replacingID` on a request yields a request with the new id and the same method.

import BridgeWire
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size, fuzzOne)
}

func fuzzOne(_ line: [UInt8]) {
    guard let original = try? Envelope.classify(line), original.kind == .request || original.kind == .notification
    else { return }
    if let spliced = MessageSplice.addingMeta(#""mcp-bridge-fuzz":17"#, to: line) {
        let envelope = sameMessage(spliced, as: original, "addingMeta")
        let added = envelope.params.flatMap {
            try? JSONScanner.value(atPath: ["_meta", "mcp-bridge-fuzz"], in: spliced, root: $0)
        }
        check(added.map { String(decoding: spliced[$0.range], as: UTF8.self) } == "17", "meta member not found")
        check(spliced.count - line.count >= #""mcp-bridge-fuzz":17"#.utf8.count, "bytes lost")
    } else {
        check(paramsNotAnObjectOrMetaNot(line, original), "addingMeta refused a valid request")
    }
    if let spliced = MessageSplice.addingParams(#""inputResponses":{"k":{}}"#, to: line) {
        let envelope = sameMessage(spliced, as: original, "addingParams")
        check(envelope.params.flatMap { try? JSONScanner.value(atPath: ["inputResponses", "k"], in: spliced, root: $0) }
              != nil, "params member not found")
    }
    if original.kind == .request, let renamed = MessageSplice.replacingID(in: line, with: .string("fuzz-id")) {
        let envelope = try? Envelope.classify(renamed)
        check(envelope?.id == .string("fuzz-id") && envelope?.method == original.method, "replacingID broke it")
    }
}

private func sameMessage(_ bytes: [UInt8], as original: Envelope, _ what: String) -> Envelope {
    guard let envelope = try? Envelope.classify(bytes) else {
        check(false, "\(what) produced an invalid message: \(String(decoding: bytes, as: UTF8.self))")
        fatalError()
    }
    check(envelope.kind == original.kind && envelope.id == original.id && envelope.method == original.method,
          "\(what) changed the envelope")
    return envelope
}

/// Why `addingMeta` may refuse: `params` present but not an object, or `_meta` present but not an object.
private func paramsNotAnObjectOrMetaNot(_ line: [UInt8], _ envelope: Envelope) -> Bool {
    guard let params = try? JSONScanner.value(atPath: ["params"], in: line) else { return false }
    guard params.kind == .object else { return true }
    guard let meta = try? JSONScanner.value(atPath: ["_meta"], in: line, root: params.range) else { return false }
    return meta.kind != .object
}
