/// RFC 3986 §5 reference resolution, for a redirect's `Location` against the URL that answered with it.
///
/// Delimiters are looked up by Unicode scalar, never by `Character`: a "/" followed by a combining mark is one
/// grapheme, and a `Character` search would step over it (and over a dot segment behind it).
///
/// Only what the bridge can follow is produced: a reference with a scheme of its own is returned as is (the caller
/// refuses every scheme but http and https), anything else is resolved against an http(s) base. Fragments are
/// dropped (never sent). Dot segments are removed in every case, so `/a/../../etc` cannot climb above the root.
package enum ReferenceResolution {
    package enum Outcome: Equatable {
        /// The absolute URL the reference names.
        case resolved(String)
        /// The reference names a scheme of its own (lower-cased), e.g. `file`, `gopher`, `data`, `javascript`.
        case scheme(String)
    }

    /// Resolves `reference` against `base` (an absolute http(s) URL, already parsed).
    package static func resolve(_ reference: Substring, against base: ServerURL) -> Outcome {
        var reference = reference
        if let hash = reference.unicodeScalars.firstIndex(of: "#") { reference = reference[..<hash] }
        if let scheme = scheme(of: reference) {
            let name = scheme.lowercased()
            guard name == "http" || name == "https" else { return .scheme(name) }
            return .resolved(name + ":" + absolute(reference.dropFirst(scheme.count + 1)))
        }
        let origin = base.scheme.rawValue + ":"
        if reference.hasPrefix("//") { return .resolved(origin + absolute(reference)) }
        let (path, query) = split(reference)
        let authority = "//" + base.host + (base.port.map { ":\($0)" } ?? "")
        if path.isEmpty {  // "?query" alone keeps the base path; nothing at all is the base itself
            let kept = query.map(String.init) ?? base.query
            return .resolved(origin + authority + base.path + (kept.map { "?\($0)" } ?? ""))
        }
        let merged = path.hasPrefix("/") ? String(path) : merge(base.path, with: path)
        return .resolved(origin + authority + removeDotSegments(merged) + (query.map { "?\($0)" } ?? ""))
    }

    /// `//authority/path?query` (or `//authority` alone) with its path's dot segments removed.
    private static func absolute(_ reference: Substring) -> String {
        guard reference.hasPrefix("//") else {
            // `http:path` (no authority) has no host: left for the URL parser to refuse.
            return String(reference)
        }
        let afterSlashes = reference.dropFirst(2)
        let pathStart = afterSlashes.unicodeScalars.firstIndex { $0 == "/" || $0 == "?" } ?? afterSlashes.endIndex
        let (path, query) = split(afterSlashes[pathStart...])
        let cleanPath = path.isEmpty ? "" : removeDotSegments(String(path))
        return "//" + afterSlashes[..<pathStart] + cleanPath + (query.map { "?\($0)" } ?? "")
    }

    /// RFC 3986 §3.1: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) before the first ":", which must come before any
    /// "/", "?" (a relative reference's first segment cannot hold a colon, §4.2).
    package static func scheme(of reference: Substring) -> Substring? {
        guard let colon = reference.unicodeScalars.firstIndex(of: ":") else { return nil }
        let candidate = reference[..<colon]
        guard let first = candidate.unicodeScalars.first, first.isASCIILetter else { return nil }
        let valid = candidate.unicodeScalars.allSatisfy {
            $0.isASCIILetter || ("0"..."9").contains($0) || "+-.".unicodeScalars.contains($0)
        }
        return valid ? candidate : nil
    }

    private static func split(_ reference: Substring) -> (path: Substring, query: Substring?) {
        guard let question = reference.unicodeScalars.firstIndex(of: "?") else { return (reference, nil) }
        return (reference[..<question], reference[reference.unicodeScalars.index(after: question)...])
    }

    /// §5.2.3: the base path up to its last "/", then the reference's path.
    private static func merge(_ basePath: String, with path: Substring) -> String {
        guard let slash = basePath.unicodeScalars.lastIndex(of: "/") else { return "/" + path }
        return String(basePath.unicodeScalars[...slash]) + path
    }

    /// §5.2.4, on whole segments: "." disappears, ".." drops the segment before it (never above the root).
    package static func removeDotSegments(_ path: String) -> String {
        var output: [ArraySlice<UInt8>] = []
        let bytes = Array(path.utf8)
        let segments = bytes.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false)
        let absolute = bytes.first == UInt8(ascii: "/")
        for (index, segment) in segments.enumerated() where !(absolute && index == 0) {
            let last = index == segments.count - 1
            let dots = segment.allSatisfy { $0 == UInt8(ascii: ".") } ? segment.count : 0
            switch dots {
            case 1:
                if last { output.append([]) }
            case 2:
                if !output.isEmpty { output.removeLast() }
                if last { output.append([]) }
            default:
                output.append(segment)
            }
        }
        let joined = output.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
        return (absolute ? "/" : "") + joined
    }
}

extension Unicode.Scalar {
    fileprivate var isASCIILetter: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) }
}
