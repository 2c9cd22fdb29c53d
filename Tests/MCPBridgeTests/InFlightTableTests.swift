import Synchronization
import Testing

@testable import BridgeWire
@testable import MCPBridge

/// `InFlightTable`: where "every request gets exactly one answer" and "nothing more is written for a
/// cancelled request" are decided, whichever path (response, error, timeout, shutdown) races to answer.
@Suite("In-flight table")
struct InFlightTableTests {
    @Test func exactlyOneOfManyConcurrentClaimersWins() async {
        let table = InFlightTable()
        let id = RequestID.number("7")
        #expect(table.register(id, method: "tools/call"))
        let winners = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<100 { group.addTask { table.claim(id) != nil } }
            var count = 0
            for await won in group where won { count += 1 }
            return count
        }
        #expect(winners == 1)
        #expect(table.pendingIDs.isEmpty)
    }

    @Test func aCancelledRequestCanNoLongerBeClaimed() async {
        let table = InFlightTable()
        let id = RequestID.string("req-1")
        #expect(table.register(id, method: "tools/call"))
        let stopped = Mutex(false)
        let task = Task {
            while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) }
            stopped.withLock { $0 = true }
        }
        table.attach(task, to: id)
        #expect(table.cancel(id) != nil)
        await task.value
        #expect(stopped.withLock { $0 }, "cancelling stops the relay task")
        #expect(table.claim(id) == nil, "no answer may be written for a cancelled request")
        #expect(table.cancel(id) == nil, "a second cancel finds nothing")
        #expect(table.method(of: id) == nil)
    }

    @Test func aDuplicateRegistrationIsRefusedUntilTheFirstIsAnswered() {
        let table = InFlightTable()
        let id = RequestID.number("3")
        #expect(table.register(id, method: "tools/call"))
        #expect(!table.register(id, method: "tools/list"), "the id is still in flight")
        #expect(table.method(of: id) == "tools/call", "the refused registration changed nothing")
        #expect(table.register(.string("3"), method: "ping"), "the string \"3\" is a different id")
        #expect(table.claim(id) != nil)
        #expect(table.register(id, method: "tools/list"), "an answered id may be used again")
    }

    /// A retry adopted by the task of the call it resumed: the retry's own (finished) task attached afterwards does
    /// not replace it, and cancelling the retry stops the adopting task and names the id the server knows.
    @Test func anAdoptedRequestIsCancelledThroughTheTaskThatAnswersIt() async {
        let table = InFlightTable()
        let retry = RequestID.number("3")
        #expect(table.register(retry, method: "tools/call"))
        let call = Task { while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(5)) } }
        table.adopt(retry, task: call, upstreamID: .number("2"))
        table.attach(Task {}, to: retry)
        let entry = table.cancel(retry)
        #expect(entry?.upstreamID == .number("2"))
        await call.value
        #expect(call.isCancelled)
    }
}
