import Foundation
import LMDBStore
import LMDBStoreTesting
import Logging
import NostrCore
import NostrCoreTesting
import ServiceLifecycle
import Synchronization
import Testing

@testable import RelayServices

@Suite("Expired event purge")
struct ExpiredEventPurgeTests {
    @Test func purgesExpiredEventsOnScheduleAndStopsOnShutdown() async throws {
        let clock = ClockBox(CorpusGenerator.baseTimestamp)
        let temporary = try TemporaryStore { $0.clock = { clock.read() } }
        let pair = KeyPair(secretKey: SecretKey(Bytes32(w0: 7, w1: 7, w2: 7, w3: 7))!)
        let expiring = pair.sign(
            kind: 1, tags: [["expiration", String(CorpusGenerator.baseTimestamp + 5)]], content: "soon gone",
            createdAt: CorpusGenerator.baseTimestamp)
        let lasting = pair.sign(kind: 1, content: "stays", createdAt: CorpusGenerator.baseTimestamp + 1)
        #expect(try await temporary.store.save([expiring, lasting]) == [.stored, .stored])

        let purge = ExpiredEventPurge(
            store: temporary.store, interval: .milliseconds(50), logger: Logger(label: "purge-test"))
        let group = ServiceGroup(configuration: .init(services: [purge], logger: Logger(label: "purge-test")))
        let running = Task { try await group.run() }
        // Not expired yet: the first purges leave both.
        try await Task.sleep(for: .milliseconds(200))
        #expect(try temporary.store.statistics().totalEvents == 2)

        clock.set(CorpusGenerator.baseTimestamp + 10)
        var remaining = 2
        for _ in 0..<100 where remaining != 1 {
            try await Task.sleep(for: .milliseconds(50))
            remaining = try temporary.store.statistics().totalEvents
        }
        #expect(remaining == 1, "the scheduled purge did not delete the expired event")
        #expect(try temporary.store.queryEvents([Filter(kinds: [1])]).map(\.id) == [lasting.id])

        await group.triggerGracefulShutdown()
        try await running.value
    }

    @Test func aFailedPurgeIsLoggedNotFatal() async throws {
        let temporary = try TemporaryStore()
        let reader = try temporary.reopen { $0.readOnly = true }
        // A read-only store refuses the purge: logged, 0, and the service would try again.
        let purge = ExpiredEventPurge(store: reader, interval: .seconds(60), logger: Logger(label: "purge-test"))
        #expect(await purge.purgeOnce() == 0)
    }
}

/// A clock the test moves forward.
private final class ClockBox: Sendable {
    private let now: Atomic<Int64>
    init(_ start: Int64) { now = Atomic(start) }
    func read() -> Int64 { now.load(ordering: .relaxed) }
    func set(_ value: Int64) { now.store(value, ordering: .relaxed) }
}
