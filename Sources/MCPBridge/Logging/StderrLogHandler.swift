import BridgePlatform
import Logging
import Synchronization

/// A swift-log handler that writes one `mcp-bridge: ...` line per event to stderr (or, with `--log-format json`,
/// one JSON object per event: `JSONLogLine`).
///
/// Desktop hosts merge every server's stderr into one log file and show it to users, so each line names the
/// program and is kept on a single line: newlines and other control characters in messages or metadata are
/// escaped, which also stops a hostile server's error text from forging log lines or sending terminal escapes.
/// Every secret value the bridge sends is masked in the finished line (`SecretValues`).
/// The level is spelled out only for warnings and worse; at the default verbosity those are the only lines
/// besides the startup line, and the prefix is what users search for.
///
/// Each line is formatted completely and handed to the sink once; the default sink writes it with a single
/// `write(2)` call (looping only on short writes and `EINTR`) under a process-wide lock, so lines from different
/// threads never interleave. `FileHandle` and the C `stderr` stream are avoided: Swift 6 rejects the latter as
/// shared mutable state, and both buffer where a crash could lose the last line.
public struct StderrLogHandler: LogHandler {
    /// Receives a complete line, without its trailing newline. Called from whichever thread logged.
    public typealias Sink = @Sendable (String) -> Void

    public var logLevel: Logger.Level
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    /// `--log-format`: text for people, JSON for collectors.
    public let format: LogFormat
    private let sink: Sink

    /// - Parameter sink: where finished lines go; tests capture them, everything else uses the default (stderr).
    public init(
        logLevel: Logger.Level = .info,
        metadataProvider: Logger.MetadataProvider? = nil,
        format: LogFormat = .text,
        sink: @escaping Sink = StderrLogHandler.writeToStandardError
    ) {
        self.logLevel = logLevel
        self.format = format
        self.metadataProvider = metadataProvider
        self.sink = sink
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() { merged.merge(provided) { _, new in new } }
        if let explicit = event.metadata { merged.merge(explicit) { _, new in new } }
        if let error = event.error, merged["error"] == nil { merged["error"] = "\(error)" }
        switch format {
        case .text:
            // Last, over the whole line: a secret the bridge sent may come back inside anything a server said.
            sink(SecretValues.shared.redact(Self.format(level: event.level, message: event.message.description,
                                                        metadata: merged)))
        case .json:
            // Masked string by string before encoding (JSONLogLine), so the line stays valid JSON.
            sink(JSONLogLine.format(level: event.level, message: event.message.description, metadata: merged))
        }
    }

    /// The line for one event: prefix, level for warnings and worse, message, then sorted ` key=value` pairs.
    static func format(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        var line = "mcp-bridge: "
        switch level {
        case .warning: line += "warning: "
        case .error: line += "error: "
        case .critical: line += "critical: "
        case .trace, .debug, .info, .notice: break
        }
        line += escaped(message)
        for key in metadata.keys.sorted() {
            guard let value = metadata[key] else { continue }
            line += " " + escaped(key) + "=" + quotedIfNeeded(escaped(render(value)))
        }
        return line
    }

    /// Writes `line` plus a newline to file descriptor 2; errors (a closed stderr) are ignored, as there is
    /// nowhere left to report them.
    public static let writeToStandardError: Sink = { line in
        writeLine(line, to: STDERR_FILENO)
    }

    /// One lock for every descriptor is enough: only stderr (and test files) are ever written this way.
    static func writeLine(_ line: String, to descriptor: Int32) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lineWriteLock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                guard let base = buffer.baseAddress else { return }
                var offset = 0
                while offset < buffer.count {
                    let written = write(descriptor, base + offset, buffer.count - offset)
                    if written > 0 {
                        offset += written
                    } else if written < 0, errno == EINTR {
                        continue
                    } else {
                        return
                    }
                }
            }
        }
    }

    private static func render(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        case .array(let values): "[" + values.map(render).joined(separator: ", ") + "]"
        case .dictionary(let dictionary):
            "["
                + dictionary.keys.sorted().map { "\($0): \(dictionary[$0].map(render) ?? "")" }
                .joined(separator: ", ") + "]"
        }
    }

    /// Values with spaces, quotes or `=` are quoted so `key=value` pairs stay unambiguous to the eye and to `grep`.
    private static func quotedIfNeeded(_ value: String) -> String {
        guard value.isEmpty || value.contains(where: { $0 == " " || $0 == "\"" || $0 == "=" }) else { return value }
        var quoted = "\""
        for character in value {
            if character == "\"" { quoted += "\\" }
            quoted.append(character)
        }
        return quoted + "\""
    }

    /// Makes `text` safe for a single terminal line: `\n`, `\r`, `\t` and other controls become visible escapes.
    private static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where isControl(scalar): result += "\\u{" + String(scalar.value, radix: 16) + "}"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// C0, DEL, C1 and the Unicode line/paragraph separators, all of which can break or restyle a line.
    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar == "\u{2028}" || scalar == "\u{2029}"
    }
}

/// Serialises whole-line writes within this process, so a short write can be finished before anyone else writes.
private let lineWriteLock = Mutex(())
