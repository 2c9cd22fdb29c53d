import BridgePlatform
import BridgeRuntime

/// The AWS CLI's shared files, `~/.aws/credentials` and `~/.aws/config` (or `AWS_SHARED_CREDENTIALS_FILE` and
/// `AWS_CONFIG_FILE`), read as the CLI reads them: INI sections, `[name]` in the credentials file and
/// `[profile name]` (or `[default]`) in the config file, `key = value` lines, `#`/`;` comments, and indented lines
/// (nested `s3 =` blocks) ignored.
struct AWSConfigFiles: Sendable {
    /// Each profile's settings, the credentials file's overriding the config file's (as botocore merges them).
    let profiles: [String: [String: String]]
    /// `[sso-session name]` sections of the config file.
    let ssoSessions: [String: [String: String]]
    /// What the files looked like when read: a change (an edited profile, rotated keys) means read them again.
    let fingerprint: Fingerprint

    struct Fingerprint: Sendable, Equatable {
        var files: [FileStamp?]
    }

    let configPath: String
    let credentialsPath: String

    static func paths(environment: [String: String]) -> (config: String, credentials: String) {
        let home = environment["HOME"] ?? ""
        return (expand(environment["AWS_CONFIG_FILE"] ?? "~/.aws/config", home: home),
                expand(environment["AWS_SHARED_CREDENTIALS_FILE"] ?? "~/.aws/credentials", home: home))
    }

    static func load(environment: [String: String]) -> AWSConfigFiles {
        let (config, credentials) = paths(environment: environment)
        var profiles: [String: [String: String]] = [:]
        var sessions: [String: [String: String]] = [:]
        for (section, values) in parse(read(config) ?? "") {
            if section == "default" {
                profiles["default", default: [:]].merge(values) { _, new in new }
            } else if section.hasPrefix("profile ") {
                let name = section.dropFirst("profile ".count).awsTrimmed
                profiles[name, default: [:]].merge(values) { _, new in new }
            } else if section.hasPrefix("sso-session ") {
                sessions[section.dropFirst("sso-session ".count).awsTrimmed] = values
            }
        }
        for (section, values) in parse(read(credentials) ?? "") {
            profiles[section, default: [:]].merge(values) { _, new in new }
        }
        return AWSConfigFiles(profiles: profiles, ssoSessions: sessions,
                              fingerprint: currentFingerprint(config: config, credentials: credentials),
                              configPath: config, credentialsPath: credentials)
    }

    /// Two `stat` calls: cheap enough to ask before every request that uses credentials from these files.
    static func currentFingerprint(config: String, credentials: String) -> Fingerprint {
        Fingerprint(files: [stamp(config), stamp(credentials)])
    }

    private static func stamp(_ path: String) -> FileStamp? { FileStamp(path: path) }

    static func parse(_ text: String) -> [(String, [String: String])] {
        var sections: [(String, [String: String])] = []
        for rawLine in text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" }) {
            // An indented line continues a nested block (`s3 =` then `  max_concurrent_requests = 10`): not ours.
            if rawLine.first == " " || rawLine.first == "\t" { continue }
            let line = rawLine.awsTrimmed
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("["), line.hasSuffix("]") {
                sections.append((String(line.dropFirst().dropLast()).awsTrimmed, [:]))
                continue
            }
            guard let equals = line.firstIndex(of: "="), !sections.isEmpty else { continue }
            let key = line[..<equals].awsTrimmed.lowercased()
            let value = line[line.index(after: equals)...].awsTrimmed
            sections[sections.count - 1].1[key] = value
        }
        return sections
    }

    /// A whole small file, or nil when it cannot be read.
    static func read(_ path: String) -> String? {
        SmallFile.read(path).map { String(decoding: $0, as: UTF8.self) }
    }

    static func expand(_ path: String, home: String) -> String {
        path.hasPrefix("~/") ? home + path.dropFirst() : path
    }
}

extension StringProtocol {
    /// Without leading and trailing whitespace (spaces, tabs, line ends: a token file ends with a newline).
    var awsTrimmed: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
