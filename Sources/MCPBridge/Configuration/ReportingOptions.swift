/// What the bridge tells about the requests it relays, beyond relaying them. All off by default: a desktop host
/// reads none of it, and each costs something per request.
public struct ReportingOptions: Sendable {
    /// `--debug`: one timing record per answered request (`RequestMonitor`).
    public var timings = false
    /// `--stats`: one summary of counts, latencies and bytes on stderr at exit (`StatsTally`).
    public var stats = false
    /// `--exit-status`: exit 2 when any request was answered with an error (or left unanswered by a signal).
    public var exitStatus = false

    /// The exit status of `--exit-status` when a request got an error answer (0 when all got results; 1 stays the
    /// bridge's own failure, 64 a usage error).
    public static let failedRequestsExitCode: Int32 = 2

    public init() {}

    /// Whether each request needs its own record (start time, attempts, status).
    var observesRequests: Bool { timings || stats }
    /// Whether anything is reported at all.
    var isOn: Bool { timings || stats || exitStatus }
}
