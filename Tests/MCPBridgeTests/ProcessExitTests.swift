import Foundation
import Testing

/// The harness's exit check reads a child's status even before Foundation has reaped it.
@Suite struct ProcessExitTests {
    @Test(arguments: [0, 3])
    func anExitedChildReportsItsStatus(code: Int32) async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", "exit \(code)"]
        try process.run()
        #expect(try await process.exitStatus(within: .seconds(10)) == code)
    }

    @Test func aRunningChildHasNoStatus() async throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/sleep")
        process.arguments = ["0.5"]
        try process.run()
        #expect(process.exitStatusIfExited == nil)
        #expect(try await process.exitStatus(within: .seconds(10)) == 0)
    }
}
