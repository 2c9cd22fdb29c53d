import BridgePlatform

/// Why `install` or `migrate` left a host's file alone, each saying what to do next. Nothing is written when one
/// of these is thrown.
package enum HostConfigError: Error, Sendable, Equatable, CustomStringConvertible {
    case invalidJSON(path: String, line: Int, column: Int, message: String, dialect: String)
    /// The value at `keyPath` (the top level when empty) is not an object, so no server entry can go there.
    case notAnObject(path: String, keyPath: [String])
    case entryExists(name: String, path: String)
    case io(path: String, operation: String, errno: Int32)
    case noHome(variable: String)

    package var description: String {
        switch self {
        case .invalidJSON(let path, let line, let column, let message, let dialect):
            "\(path):\(line):\(column): not valid \(dialect): \(message). Nothing was written; fix the file "
                + "(the host could not read it either) or pass --config with another file."
        case .notAnObject(let path, let keyPath):
            "\(path): \(keyPath.isEmpty ? "the top level" : "\"\(keyPath.joined(separator: "."))\"") is not a "
                + "JSON object, so no server can be added there. Nothing was written."
        case .entryExists(let name, let path):
            "\(path) already has a server named \"\(name)\". Pass --force to replace it, or choose another name."
        case .io(let path, let operation, let code):
            "cannot \(operation) \(path): \(String(cString: strerror(code))). Nothing was changed."
        case .noHome(let variable):
            "\(variable) is not set, so the host's config file cannot be found; pass --config FILE."
        }
    }
}
