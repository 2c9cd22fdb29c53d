import BridgeWire
import Synchronization

/// Host requests that still owe the host an answer: the guarantee of exactly one answer per request lives here.
///
/// Whoever wants to write an answer (the server's response, a bridge error, a timeout) must first `claim` the id;
/// only the first claim succeeds. A cancelled request is removed without an answer, so nothing more is written
/// for it. A `Mutex` rather than an actor: every operation is a short dictionary update, called from many tasks.
final class InFlightTable: Sendable {
    struct Entry: Sendable {
        /// The id as the host wrote it: every answer carries these exact bytes, whatever the server echoed.
        var hostID: RequestID
        var task: Task<Void, Never>?
        var method: String
        /// Set when another request's task answers this one (a 2026-07-28 host's retry of a call parked at a legacy
        /// server): cancelling then stops that task, and the server must be told with the id it knows.
        var upstreamID: RequestID?
        /// The request's place among the host's requests (`--ordered` writes answers in this order).
        var sequence = 0
        /// The timing record's start, size and pipeline tally (nil unless `--debug` or `--stats`).
        var observation: RequestObservation?
    }

    private struct State {
        var entries: [RequestID: Entry] = [:]
        var registered = 0
    }

    private let state = Mutex(State())

    /// Records a new request (numbered in arrival order); false when the id is already in flight (the host
    /// reused it).
    func register(_ id: RequestID, method: String, observation: RequestObservation? = nil) -> Bool {
        state.withLock { state in
            guard state.entries[id] == nil else { return false }
            state.entries[id] = Entry(hostID: id, task: nil, method: method, sequence: state.registered,
                                      observation: observation)
            state.registered += 1
            return true
        }
    }

    /// Associates the task relaying the request, so a cancellation can stop it.
    func attach(_ task: Task<Void, Never>, to id: RequestID) {
        state.withLock { state in
            guard state.entries[id]?.upstreamID == nil else { return }  // adopted: the adopting task answers it
            state.entries[id]?.task = task
        }
    }

    /// The task relaying `id`, as attached.
    func task(of id: RequestID) -> Task<Void, Never>? {
        state.withLock { $0.entries[id]?.task }
    }

    /// `task`, relaying the server's request `upstreamID`, now answers `id`: a cancellation of `id` stops it.
    func adopt(_ id: RequestID, task: Task<Void, Never>?, upstreamID: RequestID) {
        state.withLock { state in
            state.entries[id]?.task = task
            state.entries[id]?.upstreamID = upstreamID
        }
    }

    /// Non-nil exactly once per registered id: the caller must then write the answer, under the entry's `hostID`
    /// (the host's own text of it).
    func claim(_ id: RequestID) -> Entry? {
        state.withLock { $0.entries.removeValue(forKey: id) }
    }

    /// The host cancelled the request: forget it (no answer will be written) and stop its relay task.
    /// Returns the forgotten entry, or nil when the id was not in flight.
    @discardableResult
    func cancel(_ id: RequestID) -> Entry? {
        let entry = state.withLock { $0.entries.removeValue(forKey: id) }
        entry?.task?.cancel()
        return entry
    }

    func method(of id: RequestID) -> String? {
        state.withLock { $0.entries[id]?.method }
    }

    /// Every id still waiting, for the shutdown path that must answer them all.
    var pendingIDs: [RequestID] { state.withLock { Array($0.entries.keys) } }
}
