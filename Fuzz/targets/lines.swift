// Fuzz target: the stdin path (Sources/BridgeWire/Lines/LineSplitter.swift `LineSplitter`, then
// Sources/BridgeWire/JSONRPC `Envelope.classify` and Sources/BridgeWire/JSON `JSONScanner`).
//
// Input layout: byte 0 picks the line limit, byte 1 seeds the read sizes, the rest is what the host writes.
//
// Invariants:
// - the splitter gives the same items whatever the read sizes, and the same as a naive split on LF (one trailing
//   CR dropped, blank lines skipped, a line over the limit reported as `.oversized` with its length);
// - classification never crashes, every range it returns lies inside the line, a batch's elements classify too;
// - the scanner accepts exactly what Foundation's JSONSerialization accepts, except for the differences
//   documented in Tests/MCPBridgeTests/JSONScannerTests.swift (`isKnownDifference`);
// - where both parse an object without duplicate keys, the envelope's kind, method and string id match what
//   Foundation's tree says.

import BridgeWire
import Foundation
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size, fuzzOne)
}

enum SplitItem: Equatable {
    case line([UInt8])
    case oversized(Int)
}

func split(_ body: [UInt8], limit: Int, reads: [Range<Int>]) -> [SplitItem] {
    var splitter = LineSplitter(maxLineBytes: limit)
    var items: [SplitItem] = []
    let emit: (StdinItem) -> Void = { item in
        switch item {
        case .line(let bytes): items.append(.line(bytes))
        case .oversized(let length): items.append(.oversized(length))
        }
    }
    for read in reads {
        Array(body[read]).withUnsafeBytes { splitter.feed($0, emit: emit) }
    }
    splitter.finish(emit: emit)
    return items
}

func modelSplit(_ body: [UInt8], limit: Int) -> [SplitItem] {
    var segments = body.split(separator: 0x0A, omittingEmptySubsequences: false)
    if segments.last?.isEmpty == true { segments.removeLast() }
    return segments.compactMap { segment in
        if segment.count > limit { return .oversized(segment.count) }
        var line = segment
        if line.last == 0x0D { line = line.dropLast() }
        let blank = line.allSatisfy { $0 == 0x20 || $0 == 0x09 || $0 == 0x0D || $0 == 0x0A }
        return blank ? nil : .line(Array(line))
    }
}

/// Mirrors `JSONScannerCrossCheckTests.isKnownDifference` in Tests/MCPBridgeTests/JSONScannerTests.swift.
func isKnownDifference(_ bytes: [UInt8]) -> Bool {
    if bytes.contains(0) || bytes.starts(with: [0xEF, 0xBB, 0xBF]) { return true }
    let text = String(decoding: bytes, as: UTF8.self)
    let patterns = [#",\s*[\]}]"#, #"\\u[dD][89a-fA-F]"#, #"[eE][+-]?\d{3}"#, #"\d{300}"#]
    return patterns.contains { text.range(of: $0, options: .regularExpression) != nil }
}

func checkRange(_ range: Range<Int>?, within line: Range<Int>, _ what: String) {
    guard let range else { return }
    check(range.lowerBound >= line.lowerBound && range.upperBound <= line.upperBound, "\(what) \(range) not in \(line)")
}

func classifyChecked(_ line: [UInt8], range: Range<Int>, depth: Int) {
    let envelope: Envelope
    do {
        envelope = try Envelope.classify(line, range: range)
    } catch {
        return
    }
    checkRange(envelope.params, within: range, "params")
    checkRange(envelope.result, within: range, "result")
    if envelope.kind == .batch {
        check(!envelope.batchElements.isEmpty, "empty batch accepted")
        for element in envelope.batchElements {
            checkRange(element, within: range, "batch element")
            if depth < 2 { classifyChecked(line, range: element, depth: depth + 1) }
        }
    }
    if let params = envelope.params {
        _ = Envelope.string(atPath: ["name"], in: line, root: params)
        _ = Envelope.string(atPath: ["_meta", "progressToken"], in: line, root: params)
    }
}

func crossCheck(_ line: [UInt8]) {
    let ours = try? JSONScanner.validate(line)
    guard !isKnownDifference(line) else { return }
    let foundation = try? JSONSerialization.jsonObject(with: Data(line), options: .fragmentsAllowed)
    check(
        (ours != nil) == (foundation != nil),
        "scanner says \(ours != nil ? "valid" : "invalid"), Foundation disagrees: \(line)")

    // Envelope semantics against Foundation's tree, for objects without duplicate keys.
    guard let object = foundation as? [String: Any], let members = try? JSONScanner.members(in: line),
        Set(members.map(\.key)).count == members.count
    else { return }
    let envelope = try? Envelope.classify(line)
    let isRPC = (object["jsonrpc"] as? String) == "2.0"
    if !isRPC {
        check(envelope == nil, "accepted without \"jsonrpc\": \"2.0\"")
        return
    }
    if let method = object["method"] {
        guard let method = method as? String else {
            check(envelope == nil, "accepted a non-string method")
            return
        }
        guard let envelope else {
            // Rejected: only an id that is neither string nor number may cause that.
            let id = object["id"]
            let acceptableID = id == nil || id is String || (id is NSNumber && !isBool(id))
            check(!acceptableID, "request with method \(method) and id \(String(describing: id)) rejected")
            return
        }
        check(envelope.method == method, "method \(String(describing: envelope.method)) != \(method)")
        if let id = object["id"] as? String {
            check(envelope.kind == .request && envelope.id == .string(id), "id \(String(describing: envelope.id))")
        } else if object["id"] == nil {
            check(envelope.kind == .notification, "notification classified as \(envelope.kind)")
        }
    } else if let envelope {
        check(envelope.kind == .response, "no method but kind \(envelope.kind)")
        check((object["result"] == nil) != (object["error"] == nil), "response without exactly one of result/error")
        if let id = object["id"] as? String { check(envelope.id == .string(id), "response id") }
    }
}

/// JSONSerialization turns `true`/`false` into NSNumber too (and `1` bridges to Bool): tell them apart by class.
func isBool(_ value: Any?) -> Bool {
    guard let value else { return false }
    return String(describing: type(of: value)).contains("Boolean")
}

func fuzzOne(_ input: [UInt8]) {
    guard input.count >= 2 else { return }
    let limits = [1, 2, 8, 64, 1 << 20]
    let limit = input[0] < 200 ? 1 + Int(input[0] % 96) : limits[Int(input[0]) % limits.count]
    let body = Array(input[2...])
    var random = FuzzRandom(seed: UInt64(input[1]) &* 0x1_0000_0001 ^ UInt64(body.count))
    var reads: [Range<Int>] = []
    var position = 0
    while position < body.count {
        let length = min(body.count - position, 1 + random.below(input[1] < 64 ? 3 : 32))
        reads.append(position..<position + length)
        position += length
    }

    let items = split(body, limit: limit, reads: reads)
    let whole = split(body, limit: limit, reads: body.isEmpty ? [] : [0..<body.count])
    let model = modelSplit(body, limit: limit)
    check(items == whole, "splitter depends on read sizes: \(items) vs \(whole)")
    check(items == model, "splitter \(items) differs from the model \(model)")

    for case .line(let line) in items {
        classifyChecked(line, range: 0..<line.count, depth: 0)
        crossCheck(line)
    }
}
