import BridgeHTTP
import BridgePlatform
import BridgeWire
import Synchronization

/// W3C Trace Context for each POST (`traceparent`, and `tracestate` with it), so a server's traces join the host's.
///
/// The host's own `params._meta.traceparent` is passed on when it is valid (with its `params._meta.tracestate`);
/// otherwise the bridge starts a trace (version 00, random ids, sampled). Read with the JSON scanner, and only when
/// the bytes mention `traceparent` at all, so the usual message costs one byte search; the message itself is
/// relayed as it came.
enum TraceContext {
    static let traceparent = "traceparent"
    static let tracestate = "tracestate"

    /// The headers for a POST of `message`.
    static func headers(for message: [UInt8]) -> [HTTPHeader] {
        if let (parent, state) = hostContext(in: message) {
            var headers = [HTTPHeader(name: traceparent, value: parent)]
            if let state { headers.append(HTTPHeader(name: tracestate, value: state)) }
            return headers
        }
        return [HTTPHeader(name: traceparent, value: generated())]
    }

    /// The host's valid `traceparent` (as version 00) and its usable `tracestate`, if it sent them.
    static func hostContext(in message: [UInt8]) -> (String, String?)? {
        guard mentions(Array(traceparent.utf8), in: message),
              let given = Envelope.string(atPath: ["params", "_meta", traceparent], in: message),
              let parent = normalized(given) else { return nil }
        let state = Envelope.string(atPath: ["params", "_meta", tracestate], in: message).flatMap(usableState)
        return (parent, state)
    }

    /// `value` as a version-00 `traceparent` when it is valid per W3C Trace Context (level 1): lowercase hex,
    /// version not `ff`, trace and parent ids not all zero; a later version is read for its first four fields
    /// (the rest must start with `-`) and passed on as 00, keeping only the sampled flag. Nil when invalid.
    static func normalized(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        guard bytes.count >= 55, bytes[2] == UInt8(ascii: "-"), bytes[35] == UInt8(ascii: "-"),
              bytes[52] == UInt8(ascii: "-"),
              isLowerHex(bytes[0..<2]), isLowerHex(bytes[3..<35]), isLowerHex(bytes[36..<52]),
              isLowerHex(bytes[53..<55]) else { return nil }
        let version = bytes[0..<2]
        guard !version.elementsEqual("ff".utf8),
              !bytes[3..<35].allSatisfy({ $0 == UInt8(ascii: "0") }),
              !bytes[36..<52].allSatisfy({ $0 == UInt8(ascii: "0") }) else { return nil }
        if version.elementsEqual("00".utf8) { return bytes.count == 55 ? value : nil }
        guard bytes.count == 55 || bytes[55] == UInt8(ascii: "-") else { return nil }
        let sampled = (hexValue(bytes[54]) & 1) == 1
        return "00-" + String(decoding: bytes[3..<52], as: UTF8.self) + (sampled ? "-01" : "-00")
    }

    /// A new `traceparent`: version 00, random 16-byte trace id and 8-byte parent id, sampled. Made for every
    /// POST, so it costs one atomic add and one 55-byte string: the ids are SplitMix64 outputs of a process-wide
    /// counter seeded once from the system's generator (three `getrandom` calls per POST measured 1.4 µs, a few
    /// percent of a call's CPU). Unique and unpredictable enough for trace ids, which are not secrets.
    static func generated() -> String {
        let step: UInt64 = 0x9E37_79B9_7F4A_7C15
        let last = idCounter.wrappingAdd(3 &* step, ordering: .relaxed).newValue
        var high = mixed(last &- 2 &* step)
        let low = mixed(last &- step)
        var parent = mixed(last)
        if high == 0 && low == 0 { high = 1 }
        if parent == 0 { parent = 1 }
        return String(unsafeUninitializedCapacity: 55) { buffer in
            func put(_ value: UInt64, at start: Int) {
                for index in 0..<16 {
                    let digit = UInt8((value >> (60 - 4 * index)) & 0xF)
                    buffer[start + index] = digit < 10 ? UInt8(ascii: "0") + digit : UInt8(ascii: "a") + digit - 10
                }
            }
            buffer[0] = UInt8(ascii: "0")
            buffer[1] = UInt8(ascii: "0")
            buffer[2] = UInt8(ascii: "-")
            put(high, at: 3)
            put(low, at: 19)
            buffer[35] = UInt8(ascii: "-")
            put(parent, at: 36)
            buffer[52] = UInt8(ascii: "-")
            buffer[53] = UInt8(ascii: "0")
            buffer[54] = UInt8(ascii: "1")
            return 55
        }
    }

    private static let idCounter: Atomic<UInt64> = {
        var random = SystemRandomNumberGenerator()
        return Atomic(random.next())
    }()

    /// SplitMix64's output function: every bit of the counter's value spread over the result.
    private static func mixed(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// `tracestate` is passed on only as a header can carry it: visible ASCII and spaces, at most 512 bytes
    /// (the spec's limit for what a vendor must propagate).
    private static func usableState(_ value: String) -> String? {
        let bytes = value.utf8
        guard !bytes.isEmpty, bytes.count <= 512, bytes.allSatisfy({ (0x20...0x7E).contains($0) }) else { return nil }
        return value
    }

    /// Whether `needle` occurs in `bytes`: `memchr` for its first byte, then `memcmp` (glibc's `memmem` needs
    /// `_GNU_SOURCE`, which Swift does not set).
    private static func mentions(_ needle: [UInt8], in bytes: [UInt8]) -> Bool {
        guard let first = needle.first, bytes.count >= needle.count else { return false }
        return bytes.withUnsafeBytes { haystack in
            needle.withUnsafeBytes { word in
                guard let base = haystack.baseAddress, let wordBase = word.baseAddress else { return false }
                var offset = 0
                let last = haystack.count - word.count
                while offset <= last {
                    guard let hit = memchr(base + offset, Int32(first), last - offset + 1) else { return false }
                    let position = base.distance(to: UnsafeRawPointer(hit))
                    if memcmp(base + position, wordBase, word.count) == 0 { return true }
                    offset = position + 1
                }
                return false
            }
        }
    }

    private static func isLowerHex(_ bytes: ArraySlice<UInt8>) -> Bool {
        bytes.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0)
            || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    private static func hexValue(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "a") ? byte - UInt8(ascii: "a") + 10 : byte - UInt8(ascii: "0")
    }
}
