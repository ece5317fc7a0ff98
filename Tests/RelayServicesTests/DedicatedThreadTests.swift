import Foundation
import Synchronization
import Testing

@testable import RelayServices

@Suite("DedicatedThread")
struct DedicatedThreadTests {
    @Test func runsTheBodyOnAThreadOfItsOwnAndJoins() {
        let ran = Mutex<(name: String?, isMain: Bool)?>(nil)
        let thread = DedicatedThread(name: "pp-test") {
            ran.withLock { $0 = (DedicatedThread.currentThreadName, Thread.isMainThread) }
        }
        #expect(thread.join(timeout: .seconds(5)))
        #expect(thread.isFinished)
        #expect(ran.withLock { $0?.name } == "pp-test")
        #expect(ran.withLock { $0?.isMain } == false)
        // Joining again returns at once.
        #expect(thread.join(timeout: .milliseconds(10)))
    }

    @Test func joinGivesUpAfterItsTimeout() {
        let release = DispatchSemaphore(value: 0)
        let thread = DedicatedThread(name: "pp-test-stuck") { release.wait() }
        let started = ContinuousClock.now
        #expect(!thread.join(timeout: .milliseconds(100)))
        #expect(ContinuousClock.now - started >= .milliseconds(100))
        #expect(!thread.isFinished)
        release.signal()
        #expect(thread.join(timeout: .seconds(5)))
    }

    @Test func finishedSuspendsUntilTheBodyReturns() async {
        let release = DispatchSemaphore(value: 0)
        let thread = DedicatedThread(name: "pp-test-async") { release.wait() }
        #expect(await !thread.finished(within: .milliseconds(50)))
        async let finished = thread.finished(within: .seconds(10))
        release.signal()
        #expect(await finished)
        // Already finished: at once, whatever the limit.
        #expect(await thread.finished(within: .zero))
    }

    @Test func manyWaitersAllHearTheEnd() async {
        let release = DispatchSemaphore(value: 0)
        let thread = DedicatedThread(name: "pp-test-many") { release.wait() }
        await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<20 { group.addTask { await thread.finished(within: .seconds(10)) } }
            group.addTask {
                try? await Task.sleep(for: .milliseconds(50))
                release.signal()
                return true
            }
            var results: [Bool] = []
            for await result in group { results.append(result) }
            #expect(results.count == 21 && results.allSatisfy { $0 })
        }
    }
}
