import BridgePlatform

/// Wall-clock seconds since 1970 (UTC), the one clock AWS signatures and credential expirations are written in.
///
/// SigV4 dates must be the real time (AWS refuses signatures more than five minutes off), so this is
/// `CLOCK_REALTIME`, not the monotonic clock the rest of the bridge measures durations with.
struct AWSTime: Sendable, Comparable, Hashable {
    var seconds: Int

    static var now: AWSTime {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return AWSTime(seconds: Int(spec.tv_sec))
    }

    static func < (lhs: AWSTime, rhs: AWSTime) -> Bool { lhs.seconds < rhs.seconds }

    func adding(seconds delta: Int) -> AWSTime { AWSTime(seconds: seconds + delta) }

    /// `20261203T112233Z`, the `X-Amz-Date` form.
    var amzDate: String {
        let parts = components
        return pad(parts.tm_year + 1900, 4) + pad(parts.tm_mon + 1, 2) + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + pad(parts.tm_min, 2) + pad(parts.tm_sec, 2) + "Z"
    }

    /// `20261203`, the credential scope's date.
    var scopeDate: String { String(amzDate.prefix(8)) }

    /// `2026-12-03T11:22:33Z`, for messages (when credentials expired).
    var iso8601: String {
        let parts = components
        return pad(parts.tm_year + 1900, 4) + "-" + pad(parts.tm_mon + 1, 2) + "-" + pad(parts.tm_mday, 2) + "T"
            + pad(parts.tm_hour, 2) + ":" + pad(parts.tm_min, 2) + ":" + pad(parts.tm_sec, 2) + "Z"
    }

    /// Reads the timestamps AWS credential sources write: `2026-12-03T11:22:33Z`, with optional fractional seconds,
    /// and `Z`, `UTC` or a `±hh:mm` offset (IMDS, the container endpoint, `credential_process`, the SSO cache).
    static func parse(_ text: String) -> AWSTime? {
        let bytes = Array(text.utf8)
        func number(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[start..<(start + count)] {
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " "),
              let year = number(0, 4), let month = number(5, 2), let day = number(8, 2),
              let hour = number(11, 2), let minute = number(14, 2), let second = number(17, 2) else { return nil }
        var index = 19
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") { index += 1 }
        }
        var offset = 0
        let zone = String(decoding: bytes[index...], as: UTF8.self)
        switch zone {
        case "Z", "z", "UTC", "+00:00", "":
            break
        default:
            guard zone.utf8.count == 6, let sign = zone.first, sign == "+" || sign == "-",
                  let hours = number(index + 1, 2), let minutes = number(index + 4, 2) else { return nil }
            offset = (hours * 3600 + minutes * 60) * (sign == "+" ? 1 : -1)
        }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        return AWSTime(seconds: Int(timegm(&parts)) - offset)
    }

    private var components: tm {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        return parts
    }

    private func pad(_ value: Int32, _ width: Int) -> String {
        let text = String(value)
        return String(repeating: "0", count: max(0, width - text.count)) + text
    }
}
