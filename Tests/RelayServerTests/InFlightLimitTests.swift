import Synchronization
import Testing

@testable import RelayServer

@Suite("In-flight EVENT limit")
struct InFlightLimitTests {
    @Test func theReaderWaitsForASlotAndGetsItOnRelease() async throws {
        let limit = InFlightLimit(limit: 2)
        await limit.acquire()
        await limit.acquire()
        let passed = Flag()
        let reader = Task {
            await limit.acquire()  // the third must wait
            passed.set()
        }
        try await Task.sleep(for: .milliseconds(100))
        let passedEarly = passed.value
        #expect(!passedEarly)
        limit.release()
        await reader.value
        let passedLate = passed.value
        #expect(passedLate)
        // Two slots are taken again (one handed over); releasing both frees the limit.
        limit.release()
        limit.release()
        await limit.acquire()
        await limit.acquire()
    }
}

/// A thread-safe boolean for the test.
private final class Flag: Sendable {
    private let state = Mutex(false)
    func set() { state.withLock { $0 = true } }
    var value: Bool { state.withLock { $0 } }
}
