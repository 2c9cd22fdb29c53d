/// The process environment, read through the C library so nothing needs Foundation for it.
///
/// `environ` is a plain global on Linux; Darwin's Swift overlay does not export it, `_NSGetEnviron()` returns it.
package enum ProcessEnvironment {
    package static var pointer: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? {
        #if canImport(Darwin)
        _NSGetEnviron().pointee
        #else
        environ
        #endif
    }

    /// Every `NAME=value` entry as a dictionary (a later duplicate wins).
    package static func variables() -> [String: String] {
        var result: [String: String] = [:]
        guard var entry = pointer else { return result }
        while let text = entry.pointee.map({ String(cString: $0) }) {
            if let equals = text.firstIndex(of: "=") {
                result[String(text[..<equals])] = String(text[text.index(after: equals)...])
            }
            entry += 1
        }
        return result
    }
}
