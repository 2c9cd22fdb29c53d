import Logging
import Synchronization

@testable import BridgeWire
@testable import MCPBridge

#if canImport(Glibc)
import Glibc
#endif

let testLogger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }

/// A `ServerChannel` played by the test: each call's reply is what `reply` returns for the request (messages in
/// order, handed to the caller's handler); every call and one-way message is recorded.
final class FakeChannel: ServerChannel, Sendable {
    typealias Reply = @Sendable (HostRequest) async -> [String]
    private let reply: Reply
    private let log = Mutex<(calls: [HostRequest], sent: [String])>(([], []))

    init(reply: @escaping Reply) {
        self.reply = reply
    }

    var calls: [HostRequest] { log.withLock { $0.calls } }
    var sent: [String] { log.withLock { $0.sent } }

    func call(_ request: HostRequest, onMessage: ReplyHandler) async throws {
        log.withLock { $0.calls.append(request) }
        var answered = false
        for text in await reply(request) {
            let bytes = Array(text.utf8)
            if try await onMessage(ServerMessage(bytes: bytes, envelope: try Envelope.classify(bytes))) {
                answered = true
            }
        }
        if !answered { throw BridgeError(.streamEnded, "the fake server sent no answer") }
    }

    func send(_ message: [UInt8], what: String) async -> Int? {
        log.withLock { $0.sent.append(String(decoding: message, as: UTF8.self)) }
        return 202
    }

    func batch(_ message: [UInt8], ids: [RequestID]) async -> [(RequestID, BridgeError)] {
        ids.map { ($0, BridgeError(.streamEnded, "the fake server takes no batches")) }
    }
}

/// The host's side of stdout in-process: a `ReplySink` writing to a pipe, and the lines read back from it.
final class HostOutput: Sendable {
    let sink: ReplySink
    private let output: StdoutWriter
    private let readEnd: Int32
    private let received = Mutex<[UInt8]>([])

    /// `ordered`: answers in request order, as `--ordered` makes them.
    init(ordered: Bool = false) {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        _ = fcntl(fds[0], F_SETFL, O_NONBLOCK)
        readEnd = fds[0]
        output = StdoutWriter(fd: fds[1]) {}
        sink = ReplySink(inFlight: InFlightTable(), output: output, logger: testLogger, ordered: ordered)
    }

    /// Every line written so far (waits until the writer has flushed).
    func lines() async -> [String] {
        await output.flush()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        let bytes = received.withLock { bytes in
            while case let count = read(readEnd, &buffer, buffer.count), count > 0 { bytes += buffer[..<count] }
            return bytes
        }
        return String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Registers a host request as in flight, as the router does, so it is owed an answer.
    func hostSent(_ text: String) throws -> HostRequest {
        let bytes = Array(text.utf8)
        let envelope = try Envelope.classify(bytes)
        guard let id = envelope.id, let method = envelope.method else { throw BridgeError(.protocolViolation, text) }
        _ = sink.inFlight.register(id, method: method)
        return HostRequest(bytes: bytes, id: id, method: method, modern: ModernRequest(bytes, envelope: envelope))
    }
}
