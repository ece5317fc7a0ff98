import Foundation
import LMDBStore
import NostrClient
import NostrCore
import PurplePagesConfiguration
import PurplePagesTestSupport
import RelayCrawler
import Testing

/// The crawler against several of our relays on loopback, one speaking NIP-77 and two read by
/// REQ paging: the seeds' union arrives, a restart asks only for what is new, a relay found in a
/// kind 10002 is visited, and a second holding more events than a page loses none.
@Suite("Crawler: seed backfill, resumption, discovery", .serialized)
struct CrawlerSeedTests {
    static func pagingOnly(_ configuration: inout RelayConfiguration) {
        configuration.limits.negentropyEnabled = false
    }

    @Test func seedsConvergeToTheUnionAndARestartDownloadsNothingAgain() async throws {
        let all = CrawlerFixtures.profiles(900)
        // Three relays, each with its own two thirds of the events (every event is on two relays).
        let parts = [Array(all[0..<600]), Array(all[300..<900]), Array(all[0..<300] + all[600..<900])]
        try await withTestRelay { relayA, portA in
            try await withTestRelay(configure: Self.pagingOnly) { relayB, portB in
                try await withTestRelay(configure: Self.pagingOnly) { relayC, portC in
                    for (relay, part) in zip([relayA, relayB, relayC], parts) { _ = try relay.store.saveAndWait(part) }
                    let rig = try CrawlerRig()
                    let seeds = [portA, portB, portC].map { "ws://127.0.0.1:\($0)" }
                    let (crawler, directory) = try rig.crawler(CrawlerFixtures.options(seeds: seeds))
                    let first = await crawler.runOnce()
                    #expect(first.relaysVisited == 3 && first.visitFailures == 0)
                    #expect(try CrawlerFixtures.ids(rig.store) == Set(all.map(\.id)))
                    #expect(directory.record(for: seeds[0])?.supportsNegentropy == true)
                    #expect(directory.record(for: seeds[1])?.supportsNegentropy == false)
                    directory.close()

                    // A restart: the directory and its cursors are read back; the paging relays are
                    // asked only for what came since (nothing), the negentropy one reconciles.
                    let (again, reopened) = try rig.crawler(CrawlerFixtures.options(seeds: seeds))
                    for seed in seeds { #expect(reopened.record(for: seed)?.lastSuccess != nil) }
                    // Due again only after the revisit interval: claim them by hand, as a restart after it would.
                    let summary = await again.runOnce()
                    #expect(summary.eventsStored == 0)
                    #expect(again.statistics.eventsReceived == 0, "a resumed crawl downloaded events again")
                    #expect(again.statistics.requests <= 2, "\(again.statistics.requests) REQs after a restart")
                    reopened.close()
                }
            }
        }
    }

    @Test func aResumedBackfillContinuesWhereItStopped() async throws {
        let events = CrawlerFixtures.profiles(500)
        try await withTestRelay(configure: Self.pagingOnly) { relay, port in
            _ = try relay.store.saveAndWait(events)
            let rig = try CrawlerRig()
            let url = "ws://127.0.0.1:\(port)"
            // A discovered relay (not a seed) with a budget of 150 events a visit.
            var options = CrawlerFixtures.options(seeds: [])
            options.visitEvents = 150
            let (crawler, directory) = try rig.crawler(options)
            directory.discover([url], now: Int64(Date().timeIntervalSince1970))
            _ = await crawler.runOnce()
            let afterFirst = try CrawlerFixtures.ids(rig.store).count
            #expect(afterFirst >= 150 && afterFirst < 500)
            let received = crawler.statistics.eventsReceived
            directory.close()

            // Next visits resume from the cursor: every event arrives once, none twice.
            var total = received
            for _ in 0..<4 {
                let (next, reopened) = try rig.crawler(options)
                _ = reopened.claim(url, now: 0).map {
                    reopened.finishVisit($0.url, result: VisitResult(succeeded: false), now: -1_000_000)
                }
                _ = await next.runOnce()
                total += next.statistics.eventsReceived
                reopened.close()
            }
            #expect(try CrawlerFixtures.ids(rig.store) == Set(events.map(\.id)))
            // Pages overlap on their boundary second only: far fewer than two downloads of everything.
            #expect(total < 600, "\(total) events received for 500")
        }
    }

    @Test func pagingAcrossOneCrowdedSecondLosesNothing() async throws {
        let key = KeyPair.generate()
        let second = CrawlerFixtures.base
        let crowded = (0..<1000).map { key.event(30000, tags: [["d", "list-\($0)"]], at: second) }
        let around =
            (0..<50).map { key.event(30000, tags: [["d", "other-\($0)"]], at: second - 1 - Int64($0)) }
            + (0..<50).map { key.event(30000, tags: [["d", "newer-\($0)"]], at: second + 1 + Int64($0)) }
        try await withTestRelay(configure: Self.pagingOnly) { relay, port in
            _ = try relay.store.saveAndWait(crowded + around)
            let rig = try CrawlerRig()
            let (crawler, directory) = try rig.crawler(CrawlerFixtures.options(seeds: ["ws://127.0.0.1:\(port)"]))
            _ = await crawler.runOnce()
            #expect(try CrawlerFixtures.ids(rig.store) == Set((crowded + around).map(\.id)))
            directory.close()
        }
    }

    @Test func aRelayOnlyNamedInARelayListIsDiscoveredAndVisited() async throws {
        let hidden = CrawlerFixtures.profiles(40)
        try await withTestRelay { seed, seedPort in
            try await withTestRelay(configure: Self.pagingOnly) { other, otherPort in
                _ = try other.store.saveAndWait(hidden)
                let otherURL = "ws://127.0.0.1:\(otherPort)"
                // The seed holds a relay list naming the other relay (with a trailing slash and
                // upper case, which normalisation folds).
                let list = CrawlerFixtures.relayList(["WS://127.0.0.1:\(otherPort)/"])
                _ = try seed.store.saveAndWait([list])
                let rig = try CrawlerRig()
                let (crawler, directory) = try rig.crawler(
                    CrawlerFixtures.options(seeds: ["ws://127.0.0.1:\(seedPort)"]))
                _ = await crawler.runOnce()  // brings the list; discovery finds the relay after the visits
                #expect(directory.record(for: otherURL) != nil)
                #expect(directory.record(for: otherURL)?.listedBy == 1)
                _ = await crawler.runOnce()  // visits it
                #expect(try CrawlerFixtures.ids(rig.store).isSuperset(of: hidden.map(\.id)))
                #expect((directory.record(for: otherURL)?.eventsContributed ?? 0) == hidden.count)
                directory.close()
            }
        }
    }
}

@Suite("Crawler: seeds follow the configuration")
struct CrawlerSeedConfigurationTests {
    @Test func aSeedRemovedFromTheConfigurationBecomesAnOrdinaryRelay() throws {
        let rig = try CrawlerRig()
        let (_, directory) = try rig.crawler(CrawlerFixtures.options(seeds: ["wss://a.example", "wss://b.example"]))
        #expect(directory.record(for: "wss://b.example")?.isSeed == true)
        directory.close()
        let (_, reopened) = try rig.crawler(CrawlerFixtures.options(seeds: ["wss://a.example"]))
        #expect(reopened.record(for: "wss://a.example")?.isSeed == true)
        #expect(reopened.record(for: "wss://b.example")?.isSeed == false)
        reopened.close()
    }
}
