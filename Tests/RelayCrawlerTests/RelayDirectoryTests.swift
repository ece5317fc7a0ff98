import Foundation
import LMDB
import Logging
import PurplePagesTestSupport
import Testing

@testable import RelayCrawler

/// The relay directory against a real LMDB environment in a temporary directory: what survives a
/// reopen, the claim order, claims, eviction when full, and the change feed.
@Suite("Relay directory")
struct RelayDirectoryTests {
    let temporary: TemporaryDirectory
    var path: String { temporary.path + "/directory" }

    init() throws { temporary = try TemporaryDirectory(prefix: "relay-directory") }

    /// No jitter, so schedules are exact.
    static let exact = SchedulePolicy(
        revisitSeconds: 100, initialBackoffSeconds: 10, maxBackoffSeconds: 1000, jitter: 0)

    func open(maxRelays: Int = 100, policy: SchedulePolicy = exact) throws -> RelayDirectory {
        try RelayDirectory(
            path: path, maxRelays: maxRelays, policy: policy, mapSizeBytes: 1 << 20, jitterSeed: 7,
            logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
    }

    @Test func everythingButClaimsSurvivesAReopen() throws {
        let directory = try open()
        directory.discover(["wss://a.example", "wss://b.example", "wss://c.example"], now: 1000)
        directory.addSeeds(["wss://seed.example"], now: 1001)
        let a = try #require(directory.claim("wss://a.example", now: 1002))
        #expect(a.firstSeen == 1000)
        directory.finishVisit(
            "wss://a.example",
            result: VisitResult(
                succeeded: true, eventsStored: 12, bytesReceived: 3400, supportsNegentropy: true, error: "slow"),
            now: 1010)
        _ = try #require(directory.claim("wss://b.example", now: 1002))
        let longError = String(repeating: "x", count: 500) + "é"
        directory.finishVisit("wss://b.example", result: VisitResult(succeeded: false, error: longError), now: 1020)
        directory.setListedBy(["wss://a.example": 3, "wss://seed.example": 40])
        _ = try #require(directory.claim("wss://c.example", now: 1030))  // in flight at close
        directory.setCursor(
            SyncCursor(backfillComplete: false, pagingUntil: 1_699_999_000, newestSeen: -5), relay: "wss://a.example",
            stream: "kinds:0,3,10002")
        directory.setCursor(SyncCursor(backfillComplete: true), relay: "wss://a.example", stream: "live")
        let pubkey = String(repeating: "ab", count: 32)
        directory.setOutboxStates([pubkey: OutboxState(since: 1_600_000_000, misses: 2, nextAttempt: 1_700_000_000)])
        directory.setDiscoveryCheckpoint(987_654_321_012)
        let before = directory.records().sorted { $0.url < $1.url }
        directory.close()

        let reopened = try open()
        #expect(reopened.records().sorted { $0.url < $1.url } == before)
        #expect(reopened.count == 4)
        #expect(reopened.inFlight == 0)
        let b = try #require(reopened.record(for: "wss://b.example"))
        #expect(b.lastError?.count == RelayRecord.maxErrorLength)
        #expect(b.consecutiveFailures == 1 && b.failures == 1 && b.visits == 1 && b.lastAttempt == 1020)
        #expect(b.lastSuccess == nil && b.nextAttempt == 1030)
        let a2 = try #require(reopened.record(for: "wss://a.example"))
        #expect(a2.supportsNegentropy == true && a2.eventsContributed == 12 && a2.bytesReceived == 3400)
        #expect(a2.lastError == "slow" && a2.listedBy == 3 && a2.nextAttempt == 1110)
        #expect(reopened.record(for: "wss://seed.example")?.isSeed == true)
        #expect(reopened.record(for: "wss://seed.example")?.listedBy == 40)
        // The claim did not persist: c is free again.
        #expect(reopened.claim("wss://c.example", now: 1040)?.url == "wss://c.example")
        #expect(
            reopened.cursor(relay: "wss://a.example", stream: "kinds:0,3,10002")
                == SyncCursor(backfillComplete: false, pagingUntil: 1_699_999_000, newestSeen: -5))
        #expect(reopened.cursor(relay: "wss://a.example", stream: "live") == SyncCursor(backfillComplete: true))
        #expect(reopened.cursor(relay: "wss://b.example", stream: "live") == nil)
        #expect(
            reopened.outboxState(of: pubkey) == OutboxState(since: 1_600_000_000, misses: 2, nextAttempt: 1_700_000_000)
        )
        #expect(reopened.outboxState(of: String(repeating: "cd", count: 32)) == nil)
        #expect(reopened.discoveryCheckpoint == 987_654_321_012)
        reopened.close()
    }

    @Test func aDirectoryReleasedWithoutCloseKeepsItsChanges() throws {
        do {
            let directory = try open()
            directory.discover(["wss://a"], now: 5)
            _ = try #require(directory.claimNextDue(now: 5))
            directory.finishVisit("wss://a", result: VisitResult(succeeded: false), now: 6)
        }
        let reopened = try open()
        #expect(reopened.record(for: "wss://a")?.failures == 1)
        #expect(reopened.record(for: "wss://a")?.nextAttempt == 16)
    }

    @Test func anotherSchemaVersionIsRefused() throws {
        try open().close()
        do {
            let environment = try Environment(path: path, options: .init(mapSize: 1 << 20, maxDatabases: 8))
            let meta = try environment.openDatabase("meta", flags: [])
            try environment.write { txn in
                try txn.put(meta, key: Array("schema-version".utf8), value: [0, 0, 0, 99])
            }
        }
        let expected = UInt32(RelayCrawler.directorySchemaVersion)
        #expect(throws: DirectoryError.schemaMismatch(path: path, found: 99, expected: expected)) { try open() }
        let message = DirectoryError.schemaMismatch(path: path, found: 99, expected: expected).description
        #expect(message.contains("schema version 99") && message.contains(path))
    }

    @Test func neverVisitedComeFirstThenTheLeastRecentlyVisited() throws {
        let directory = try open()
        directory.discover(["wss://d", "wss://c", "wss://b", "wss://a"], now: 0)
        for (url, time) in [("wss://c", Int64(50)), ("wss://a", 10)] {
            _ = try #require(directory.claim(url, now: time))
            directory.finishVisit(url, result: VisitResult(succeeded: true), now: time)
        }
        // At 200 all four are due: b and d never visited (by url), then a (10), then c (50).
        let order = (0..<5).map { _ in directory.claimNextDue(now: 200)?.url }
        #expect(order == ["wss://b", "wss://d", "wss://a", "wss://c", nil])
    }

    @Test func onlyDueRelaysAreClaimedAndNextDueTimeSaysWhen() throws {
        let directory = try open()
        directory.discover(["wss://a"], now: 100)
        #expect(directory.claimNextDue(now: 99) == nil)
        #expect(directory.nextDueTime == 100)
        _ = try #require(directory.claimNextDue(now: 100))
        #expect(directory.nextDueTime == nil)
        directory.finishVisit("wss://a", result: VisitResult(succeeded: true), now: 130)
        #expect(directory.nextDueTime == 230)
        #expect(directory.claimNextDue(now: 229) == nil)
        #expect(directory.claimNextDue(now: 230)?.url == "wss://a")
    }

    @Test func aRelayInFlightIsNeverClaimedTwice() throws {
        let directory = try open()
        directory.discover(["wss://a", "wss://b"], now: 0)
        let first = try #require(directory.claimNextDue(now: 10))
        #expect(directory.claim(first.url, now: 10) == nil)
        let second = try #require(directory.claimNextDue(now: 10))
        #expect(second.url != first.url)
        #expect(directory.claimNextDue(now: 10_000) == nil)
        #expect(directory.inFlight == 2)
        directory.finishVisit(first.url, result: VisitResult(succeeded: false), now: 20)
        #expect(directory.inFlight == 1)
        #expect(directory.claimNextDue(now: 10_000)?.url == first.url)
        #expect(directory.claim("wss://unknown", now: 10) == nil)
        directory.close()
    }

    @Test func failuresBackOffExponentiallyWithinTheJitter() throws {
        let policy = SchedulePolicy(
            revisitSeconds: 3600, initialBackoffSeconds: 60, maxBackoffSeconds: 7200, jitter: 0.2)
        let directory = try open(policy: policy)
        directory.discover(["wss://dead"], now: 0)
        var now: Int64 = 0
        var delays: [Int64] = []
        for failure in 1...10 {
            let claimed = try #require(directory.claimNextDue(now: now))
            #expect(claimed.url == "wss://dead")
            directory.finishVisit("wss://dead", result: VisitResult(succeeded: false, error: "refused"), now: now)
            let record = try #require(directory.record(for: "wss://dead"))
            #expect(record.consecutiveFailures == failure && record.failures == failure && record.lastAttempt == now)
            let base = Double(min(7200, 60 << (failure - 1)))
            let delay = record.nextAttempt - now
            #expect(Double(delay) >= base * 0.8 - 0.5 && Double(delay) <= base * 1.2 + 0.5, "failure \(failure)")
            #expect(directory.claimNextDue(now: record.nextAttempt - 1) == nil)
            delays.append(delay)
            now = record.nextAttempt
        }
        // Jittered, not fixed: the capped delays are not all the same.
        #expect(Set(delays.suffix(3)).count > 1)
        _ = try #require(directory.claimNextDue(now: now))
        directory.finishVisit("wss://dead", result: VisitResult(succeeded: true), now: now)
        let revived = try #require(directory.record(for: "wss://dead"))
        #expect(revived.consecutiveFailures == 0 && revived.failures == 10 && revived.visits == 11)
        #expect(revived.lastSuccess == now && revived.lastError == nil)
        #expect(revived.nextAttempt - now >= 2880 && revived.nextAttempt - now <= 4320)
    }

    @Test func theSameSeedGivesTheSameSchedule() throws {
        func schedule(seed: UInt64, at path: String) throws -> [Int64] {
            let directory = try RelayDirectory(
                path: path, maxRelays: 100, policy: SchedulePolicy(initialBackoffSeconds: 3600), mapSizeBytes: 1 << 20,
                jitterSeed: seed)
            defer { directory.close() }
            let urls = (0..<20).map { "wss://r\($0)" }
            directory.discover(urls, now: 0)
            while let record = directory.claimNextDue(now: 0) {
                directory.finishVisit(record.url, result: VisitResult(succeeded: false), now: 0)
            }
            return urls.map { directory.record(for: $0)!.nextAttempt }
        }
        let first = try schedule(seed: 5, at: temporary.path + "/one")
        #expect(try schedule(seed: 5, at: temporary.path + "/two") == first)
        // Relays found together spread out instead of coming back in the same second.
        #expect(Set(first).count > 10)
    }

    /// Sets up `url` with a history: `successAt` (if any), then `failures` failures, all ending by `at`.
    func visit(_ directory: RelayDirectory, _ url: String, successAt: Int64?, failures: Int, at: Int64) throws {
        if let successAt {
            _ = try #require(directory.claim(url, now: successAt))
            directory.finishVisit(url, result: VisitResult(succeeded: true), now: successAt)
        }
        for _ in 0..<failures {
            _ = try #require(directory.claim(url, now: at))
            directory.finishVisit(url, result: VisitResult(succeeded: false), now: at)
        }
    }

    @Test func aFullDirectoryEvictsUnreachableRelaysFirstAndNeverSeeds() throws {
        let directory = try open(maxRelays: 7)
        directory.addSeeds(["wss://seed"], now: 0)
        directory.discover(["wss://early"], now: 1)
        directory.discover(["wss://never", "wss://three", "wss://one", "wss://healthy"], now: 5)
        try visit(directory, "wss://seed", successAt: nil, failures: 9, at: 10)
        try visit(directory, "wss://early", successAt: nil, failures: 1, at: 10)
        try visit(directory, "wss://never", successAt: nil, failures: 1, at: 10)
        try visit(directory, "wss://three", successAt: 20, failures: 3, at: 30)
        try visit(directory, "wss://one", successAt: 15, failures: 1, at: 30)
        try visit(directory, "wss://healthy", successAt: 20, failures: 0, at: 30)
        directory.discover(["wss://unvisited"], now: 6)
        _ = directory.takeChanges()
        #expect(directory.count == 7)

        // Never succeeded first (the older first), then most consecutive failures, then the rest.
        var evicted: [String] = []
        for index in 0..<6 {
            let added = directory.discover(["wss://new\(index)"], now: 40)
            let removed = directory.takeChanges().removed
            if added == 1 { evicted += removed } else { #expect(removed.isEmpty) }
        }
        #expect(evicted == ["wss://early", "wss://never", "wss://three", "wss://one"])
        // Seeds, healthy relays and relays not visited yet stay: the last two were refused.
        #expect(directory.count == 7)
        #expect(directory.droppedForSpace == 6)
        #expect(directory.record(for: "wss://seed") != nil && directory.record(for: "wss://healthy") != nil)
        #expect(directory.record(for: "wss://unvisited") != nil && directory.record(for: "wss://new4") == nil)
        // Evicted relays are gone from disk too.
        directory.close()
        let reopened = try open(maxRelays: 7)
        #expect(Set(reopened.records().map(\.url)).isDisjoint(with: evicted))
        #expect(reopened.count == 7 && reopened.droppedForSpace == 0)
    }

    @Test func aRelayInFlightIsNotEvicted() throws {
        let directory = try open(maxRelays: 2)
        directory.discover(["wss://dead", "wss://good"], now: 0)
        try visit(directory, "wss://dead", successAt: nil, failures: 2, at: 5)
        try visit(directory, "wss://good", successAt: 5, failures: 0, at: 5)
        _ = try #require(directory.claim("wss://dead", now: 10))
        #expect(directory.discover(["wss://new"], now: 10) == 0)
        #expect(directory.droppedForSpace == 1)
        directory.finishVisit("wss://dead", result: VisitResult(succeeded: false), now: 11)
        #expect(directory.discover(["wss://new"], now: 12) == 1)
        #expect(directory.record(for: "wss://dead") == nil && directory.droppedForSpace == 2)
    }

    @Test func aLowerLimitAtReopenTrimsUnreachableRelays() throws {
        let directory = try open(maxRelays: 10)
        directory.discover((0..<6).map { "wss://r\($0)" }, now: 0)
        for index in 0..<3 { try visit(directory, "wss://r\(index)", successAt: nil, failures: 1, at: 5) }
        directory.close()
        let smaller = try open(maxRelays: 4)
        #expect(smaller.count == 4 && smaller.droppedForSpace == 2)
        #expect(smaller.records().filter { $0.consecutiveFailures > 0 }.count == 1)
        smaller.close()
        #expect(try open(maxRelays: 4).count == 4)
    }

    @Test func takeChangesReportsEachChangeOnce() throws {
        let directory = try open(maxRelays: 3)
        #expect(directory.discover(["wss://a", "wss://b", "wss://a"], now: 0) == 2)
        var changes = directory.takeChanges()
        #expect(Set(changes.changed.map(\.url)) == ["wss://a", "wss://b"] && changes.removed.isEmpty)
        #expect(directory.takeChanges().changed.isEmpty)
        #expect(directory.discover(["wss://a"], now: 1) == 0)
        _ = try #require(directory.claimNextDue(now: 1))  // a claim alone changes nothing stored
        #expect(directory.takeChanges().changed.isEmpty)
        directory.finishVisit("wss://a", result: VisitResult(succeeded: false), now: 2)
        directory.setListedBy(["wss://b": 0])  // unchanged: 0 already
        changes = directory.takeChanges()
        #expect(changes.changed.map(\.url) == ["wss://a"] && changes.changed.first?.failures == 1)
        directory.setListedBy(["wss://b": 4, "wss://unknown": 9])
        changes = directory.takeChanges()
        #expect(changes.changed.map(\.listedBy) == [4])
        #expect(directory.record(for: "wss://unknown") == nil)
        directory.discover(["wss://c", "wss://d"], now: 3)  // d evicts a
        changes = directory.takeChanges()
        #expect(Set(changes.changed.map(\.url)) == ["wss://c", "wss://d"] && changes.removed == ["wss://a"])
        directory.setListedBy([:])
        #expect(directory.takeChanges().changed.map(\.url) == ["wss://b"])
        #expect(directory.records().allSatisfy { $0.listedBy == 0 })
    }

    @Test func seedsAreMarkedAndDueAtOnce() throws {
        let directory = try open()
        directory.discover(["wss://known"], now: 0)
        directory.addSeeds(["wss://known", "wss://fresh"], now: 50)
        #expect(directory.records().allSatisfy { $0.isSeed })
        #expect(directory.record(for: "wss://fresh")?.firstSeen == 50)
        #expect(directory.record(for: "wss://known")?.firstSeen == 0)
        // A seed visited already keeps its schedule.
        try visit(directory, "wss://known", successAt: 60, failures: 0, at: 60)
        directory.addSeeds(["wss://known"], now: 70)
        #expect(directory.record(for: "wss://known")?.nextAttempt == 160)
    }

    @Test func unusableURLsAreIgnored() throws {
        let directory = try open()
        let long = "wss://" + String(repeating: "a", count: 500) + ".example"
        #expect(directory.discover(["", long, "wss://ok"], now: 0) == 1)
        directory.setCursor(SyncCursor(backfillComplete: true), relay: long, stream: String(repeating: "s", count: 200))
        #expect(directory.cursor(relay: long, stream: String(repeating: "s", count: 200)) == nil)
        #expect(directory.outboxState(of: "") == nil)
    }
}
