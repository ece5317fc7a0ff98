import Foundation
import LMDBStore
import NostrClient
import NostrCore
import PurplePagesTestSupport
import RelayCrawler
import Testing

/// Outbox sync: a pubkey that matters is fetched from its own write relays (not its read
/// relays), and one that no relay has is retried on a growing wait, not in a loop.
@Suite("Crawler: outbox sync", .serialized)
struct CrawlerOutboxTests {
    struct FixedTargets: OutboxTargets {
        let pubkeys: [String]
        func outboxTargets(limit: Int) -> [String] { Array(pubkeys.prefix(limit)) }
    }

    @Test func writeRelaysAreAskedAndMissesBackOff() async throws {
        let person = KeyPair.generate()
        let nobody = KeyPair.generate()
        let profile = person.event(0, content: "{\"name\":\"from write relay\"}", at: CrawlerFixtures.base)
        let follows = person.event(3, tags: [["p", nobody.publicKey.hex]], at: CrawlerFixtures.base)
        let newerOnReadRelay = person.event(0, content: "{\"name\":\"read relay\"}", at: CrawlerFixtures.base + 10)
        try await withTestRelay { writeRelay, writePort in
            try await withTestRelay { readRelay, readPort in
                _ = try writeRelay.store.saveAndWait([profile, follows])
                _ = try readRelay.store.saveAndWait([newerOnReadRelay])
                let rig = try CrawlerRig()
                let list = person.event(
                    10002,
                    tags: [
                        ["r", "ws://127.0.0.1:\(writePort)", "write"], ["r", "ws://127.0.0.1:\(readPort)", "read"],
                    ],
                    at: CrawlerFixtures.base)
                _ = try rig.store.saveAndWait([list])
                var options = CrawlerFixtures.options(seeds: [])
                options.discoverRelays = false
                options.outbox.enabled = true
                options.outbox.kinds = [0, 3, 10002]
                options.outbox.retryAfter = .seconds(3600)
                let targets = FixedTargets(pubkeys: [person.publicKey.hex, nobody.publicKey.hex, "not a pubkey"])
                let (crawler, directory) = try rig.crawler(options, targets: targets)
                let now = Int64(Date().timeIntervalSince1970)
                let first = await crawler.runOnce()
                #expect(first.outboxPubkeys == 2 && first.outboxRelays == 1)
                let stored = try rig.store.queryEvents(
                    [Filter(authors: [person.publicKey], kinds: [0, 3])], limit: nil)
                #expect(Set(stored.map(\.id)) == [profile.id, follows.id], "the read relay is not asked")

                let done = directory.outboxState(of: person.publicKey.hex)
                #expect(done?.misses == 0 && (done?.since ?? 0) >= now)
                let missed = directory.outboxState(of: nobody.publicKey.hex)
                #expect(missed?.misses == 1 && (missed?.nextAttempt ?? 0) >= now + 3600)

                // Nobody is due again at once: no request goes out.
                let requestsBefore = crawler.statistics.requests
                let second = await crawler.runOnce()
                #expect(second.outboxPubkeys == 0)
                #expect(crawler.statistics.requests == requestsBefore)
                directory.close()
            }
        }
    }
}
