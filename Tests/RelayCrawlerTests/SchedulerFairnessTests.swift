import Foundation
import PurplePagesTestSupport
import Testing

@testable import RelayCrawler

/// The scheduler over simulated days (the test advances `now` itself): dead relays back off and
/// cannot starve live ones — the Go original's bug, where a failing relay kept `last_sync` unchanged,
/// stayed at the head of the queue and was retried every 30 s forever while every other relay waited.
@Suite("Scheduler fairness")
struct SchedulerFairnessTests {
    let temporary: TemporaryDirectory

    init() throws { temporary = try TemporaryDirectory(prefix: "scheduler-fairness") }

    static let policy = SchedulePolicy(
        revisitSeconds: 600, initialBackoffSeconds: 60, maxBackoffSeconds: 86_400, jitter: 0.2)

    func open(maxRelays: Int = 10_000) throws -> RelayDirectory {
        try RelayDirectory(
            path: temporary.path + "/directory", maxRelays: maxRelays, policy: Self.policy, mapSizeBytes: 8 << 20,
            jitterSeed: 42)
    }

    /// The gaps between consecutive times.
    static func gaps(_ times: [Int64]) -> [Int64] { zip(times.dropFirst(), times).map { $0 - $1 } }

    @Test func oneDeadRelayCannotStarveFiveGoodOnes() throws {
        let directory = try open()
        let good = (1...5).map { "wss://good\($0).example" }
        let dead = "wss://dead.example"
        // The dead relay sorts first and is found first: the Go queue's worst case.
        directory.discover([dead], now: 0)
        directory.discover(good, now: 0)
        var visits: [String: [Int64]] = [:]
        // The Go loop: a tick every 30 s taking one relay. Two simulated days.
        for now in stride(from: Int64(0), to: 2 * 86_400, by: 30) {
            guard let record = directory.claimNextDue(now: now) else { continue }
            visits[record.url, default: []].append(now)
            directory.finishVisit(record.url, result: VisitResult(succeeded: record.url != dead), now: now)
        }

        for url in good {
            let times = try #require(visits[url])
            // Due every 600 s +-20%, and at most the five others ahead of it, one per tick.
            #expect(Self.gaps(times).allSatisfy { $0 <= 720 + 6 * 30 }, "\(url): \(Self.gaps(times).max() ?? 0)")
            #expect(times.count >= 2 * 86_400 / 900)
        }
        // The Go loop would have tried it 5,760 times; backing off from a minute to a day, a dozen.
        let attempts = try #require(visits[dead])
        #expect(attempts.count <= 16, "\(attempts.count) attempts")
        for (index, gap) in Self.gaps(attempts).enumerated() {
            let backoff = Double(min(86_400, 60 << index))
            #expect(Double(gap) >= backoff * 0.8 - 1, "attempt \(index + 2) came \(gap) s after the previous one")
        }
        let record = try #require(directory.record(for: dead))
        #expect(record.failures == attempts.count && record.lastAttempt == attempts.last)
        directory.close()
    }

    @Test func manyDeadRelaysCostLittleOnceBackedOff() throws {
        let directory = try open()
        let good = (1...5).map { "wss://good\($0).example" }
        let dead = (0..<300).map { "wss://dead\($0).example" }
        directory.discover(dead + good, now: 0)
        // Four connections at once; a good visit takes 20 s, a dead one fails after a 7 s timeout.
        let capacity = 4
        var running: [(url: String, ends: Int64)] = []
        var visits: [String: [Int64]] = [:]
        let end: Int64 = 3 * 86_400
        for now in stride(from: Int64(0), to: end, by: 5) {
            for visit in running where visit.ends <= now {
                let succeeded = visit.url.hasPrefix("wss://good")
                directory.finishVisit(visit.url, result: VisitResult(succeeded: succeeded), now: now)
            }
            running.removeAll { $0.ends <= now }
            while running.count < capacity, let record = directory.claimNextDue(now: now) {
                #expect(!running.contains { $0.url == record.url }, "\(record.url) claimed twice")
                visits[record.url, default: []].append(now)
                running.append((record.url, now + (record.url.hasPrefix("wss://good") ? 20 : 7)))
            }
            #expect(directory.inFlight == running.count)
        }

        // After the first hours (everything found at once is tried in turn), good relays are
        // visited on schedule: 600 s +-20% after the last visit ended, plus a few ticks of queueing.
        for url in good {
            let times = try #require(visits[url]).filter { $0 >= 86_400 }
            #expect(Self.gaps(times).allSatisfy { $0 <= 720 + 20 + 60 }, "\(url): \(Self.gaps(times).max() ?? 0)")
        }
        // Each dead relay: about fourteen attempts in three days, at most two on the last day.
        for url in dead {
            let times = try #require(visits[url])
            #expect(times.count <= 18 && times.filter { $0 >= 2 * 86_400 }.count <= 2, "\(url): \(times.count)")
        }
        let lastDay = visits.filter { $0.key.hasPrefix("wss://dead") }.values.map { $0.filter { $0 >= 2 * 86_400 } }
        #expect(lastDay.map(\.count).reduce(0, +) <= 2 * dead.count)
        directory.close()
    }

    @Test func concurrentClaimersNeverShareARelay() async throws {
        let directory = try open()
        let urls = (0..<2000).map { "wss://relay\($0).example" }
        directory.discover(urls, now: 0)
        let all = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask {
                    var mine: [String] = []
                    while let record = directory.claimNextDue(now: 10) { mine.append(record.url) }
                    return mine
                }
            }
            return await group.reduce(into: []) { $0 += $1 }
        }
        #expect(all.count == urls.count && Set(all).count == urls.count)
        #expect(directory.inFlight == urls.count)
        directory.close()
    }
}
