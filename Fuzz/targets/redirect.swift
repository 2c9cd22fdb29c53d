// Fuzz target: redirect `Location` resolution (Sources/BridgeHTTP/URLs/Redirect.swift, ReferenceResolution.swift).
//
// Input layout: byte 0 picks the base URL (one of `bases`); the rest is the `Location` value.
//
// Invariants: no crash; a followed target is an http(s) URL the server-URL parser accepts, of the base's origin,
// without fragment, spaces, control bytes or "." / ".." path segments, and resolving it again gives itself; a
// reference that starts with an RFC 3986 scheme other than http(s) is always refused as another scheme (never
// taken as a relative path); an other-origin target never carries the base's origin.

import BridgeHTTP
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func llvmFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    fuzzInput(data, size, fuzzOne)
}

let bases = [
    "http://127.0.0.1:8000/mcp", "https://h.example/a/b/c?q=1", "https://h.example/", "http://[::1]:9/x/y/",
    "https://h.example:8443/mcp/?token=t",
]

func fuzzOne(_ input: [UInt8]) {
    guard let first = input.first else { return }
    let base = bases[Int(first) % bases.count]
    let location = String(decoding: input.dropFirst(), as: UTF8.self)
    let target = Redirect.resolve(location, against: base)
    let origin = try? URLPolicy.check(base, allowHTTP: true).origin
    switch target {
    case .sameOrigin(let url):
        guard let parsed = try? URLPolicy.check(url, allowHTTP: true) else {
            check(false, "followed target \(url.debugDescription) is not a valid server URL")
            return
        }
        check(parsed.origin == origin, "\(url.debugDescription) is not of the origin of \(base.debugDescription)")
        check(!url.contains("#"), "fragment kept in \(url.debugDescription)")
        check(!url.utf8.contains { $0 <= 0x20 || $0 == 0x7F }, "space or control byte in \(url.debugDescription)")
        let segments = parsed.path.split(separator: "/", omittingEmptySubsequences: false)
        check(!segments.contains(".") && !segments.contains(".."), "dot segment left in \(url.debugDescription)")
        check(Redirect.resolve(url, against: base) == target, "resolving \(url.debugDescription) again moved it")
    case .otherOrigin(let url):
        check(!(url.hasPrefix((origin ?? "") + "/") || url == origin), "same origin reported as other: \(url)")
    case .otherScheme(let scheme):
        check(scheme != "http" && scheme != "https", "http(s) refused as another scheme")
        check(scheme.utf8.allSatisfy { $0 < 0x80 && $0 > 0x20 }, "scheme text not validated: \(scheme.debugDescription)")
    case .invalid:
        break
    }
    if let scheme = leadingScheme(location), scheme != "http", scheme != "https" {
        check(target == .otherScheme(String(scheme.prefix(32))),
              "\(location.debugDescription) has scheme \(scheme) but resolved to \(target)")
    }
}

/// The RFC 3986 scheme a reference starts with (after the spaces the resolver trims), lower-cased.
func leadingScheme(_ location: String) -> String? {
    let trimmed = location.drop { $0 == " " || $0 == "\t" }
    guard let colon = trimmed.firstIndex(of: ":") else { return nil }
    let candidate = trimmed[..<colon]
    guard let head = candidate.unicodeScalars.first, head.isASCII, head.properties.isAlphabetic else { return nil }
    let valid = candidate.unicodeScalars.allSatisfy {
        $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0))
    }
    return valid ? candidate.lowercased() : nil
}
