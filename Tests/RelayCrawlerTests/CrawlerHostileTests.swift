import Foundation
import LMDBStore
import NostrClient
import NostrCore
import PurplePagesConfiguration
import PurplePagesTestSupport
import RelayCrawler
import Testing

/// The crawler against relays that are dead, hang, flood or lie, beside good ones: the pass ends
/// within its budgets, the good relays' events arrive, nothing invalid is stored, and the bad
/// relays are backed off so they cost nothing at the next pass.
@Suite("Crawler: hostile and unreachable relays", .serialized)
struct CrawlerHostileTests {
    /// A relay that reads and never answers.
    static func hanging() async throws -> ScriptedRelay {
        try await ScriptedRelay.start { connection in
            while try await connection.next() != nil {}
        }
    }

    /// A relay that refuses negentropy and answers every REQ with an endless stream of one valid
    /// event, and now and then a frame larger than the crawler accepts.
    static func flooding() async throws -> ScriptedRelay {
        let event = KeyPair.generate().event(0, content: "flood", at: CrawlerFixtures.base)
        return try await ScriptedRelay.start { connection in
            while let text = try await connection.next() {
                switch try ClientMessage.parse(text) {
                case .negentropyOpen(let id, _, _):
                    try await connection.send(#"["NEG-ERR","\#(id)","error: no"]"#)
                case .request(let id, _):
                    for index in 0..<200_000 {
                        try await connection.send(#"["EVENT","\#(id)",\#(event.jsonString)]"#)
                        if index % 50_000 == 49_999 {
                            try await connection.send(String(repeating: "x", count: 400_000))
                        }
                    }
                default: continue
                }
            }
        }
    }

    /// A relay that answers every REQ with a forged event, a kind the relay does not hold, and a
    /// protected event relayed by a third party, then EOSE.
    static func lying(forged: Event, unheld: Event, protected: Event) async throws -> ScriptedRelay {
        try await ScriptedRelay.start { connection in
            while let text = try await connection.next() {
                switch try ClientMessage.parse(text) {
                case .negentropyOpen(let id, _, _):
                    try await connection.send(#"["NEG-ERR","\#(id)","error: no"]"#)
                case .request(let id, _):
                    for event in [forged, unheld, protected] {
                        try await connection.send(#"["EVENT","\#(id)",\#(event.jsonString)]"#)
                    }
                    try await connection.send(#"["EOSE","\#(id)"]"#)
                default: continue
                }
            }
        }
    }

    @Test func badRelaysAreBoundedBackedOffAndStoreNothing() async throws {
        let good = CrawlerFixtures.profiles(120)
        let key = KeyPair.generate()
        let genuine = key.event(0, content: "genuine", at: CrawlerFixtures.base)
        let other = key.event(0, content: "other", at: CrawlerFixtures.base + 1)
        // The id of one event with the signature of another.
        let forged = Event(
            id: genuine.id, pubkey: genuine.pubkey, createdAt: genuine.createdAt, kind: genuine.kind,
            tags: genuine.tags, content: "changed", sig: other.sig)
        let unheld = key.event(1, content: "a note", at: CrawlerFixtures.base)
        let protected = key.event(0, tags: [["-"]], content: "mine only", at: CrawlerFixtures.base + 2)
        let hanging = try await Self.hanging()
        let flooding = try await Self.flooding()
        let lying = try await Self.lying(forged: forged, unheld: unheld, protected: protected)
        let dead = "ws://127.0.0.1:\(try freePort())"
        try await withTestRelay { relay, port in
            _ = try relay.store.saveAndWait(good)
            let goodURL = "ws://127.0.0.1:\(port)"
            let rig = try CrawlerRig()
            var options = CrawlerFixtures.options(seeds: [])
            options.visitTime = .seconds(10)
            options.responseTimeout = .seconds(5)
            options.client.maxMessageBytes = 256 << 10
            let policy = EventPolicy(RelayConfiguration())
            options.client.eventCheck = { policy.rejection(ofFetched: $0, now: Int64(Date().timeIntervalSince1970)) }
            let (crawler, directory) = try rig.crawler(options)
            let now = Int64(Date().timeIntervalSince1970)
            let bad = [dead, hanging.url, flooding.url, lying.url]
            directory.discover(bad + [goodURL], now: now)

            let started = ContinuousClock.now
            let summary = await crawler.runOnce()
            // Every visit is bounded by its time budget (10 s) and they run side by side.
            #expect(ContinuousClock.now - started < .seconds(40))
            #expect(summary.relaysVisited == 5)
            let stored = try CrawlerFixtures.ids(rig.store)
            #expect(
                stored == Set(good.map(\.id)),
                "only the good relay's events are stored: \(directory.record(for: goodURL)?.lastError ?? "")")
            #expect(crawler.statistics.eventsRefused > 0)
            for url in [dead, hanging.url] {
                let record = directory.record(for: url)
                #expect(record?.consecutiveFailures == 1, "\(url)")
                #expect((record?.nextAttempt ?? 0) > now, "\(url) is backed off")
            }
            #expect(directory.record(for: goodURL)?.eventsContributed == good.count)
            // The flood is cut off by its count, not only by the visit's time.
            let flood = directory.record(for: flooding.url)?.lastError ?? ""
            #expect(flood.contains("not asked for") || flood.contains("too large"), "\(flood)")

            // The next pass does not touch the relays backed off, nor the good one before its revisit.
            let next = await crawler.runOnce()
            #expect(next.relaysVisited == 0)
            directory.close()
        }
        await hanging.stop()
        await flooding.stop()
        await lying.stop()
    }

    @Test func loopbackIsRefusedWithTheGuardOn() async throws {
        try await withTestRelay { relay, port in
            _ = try relay.store.saveAndWait(CrawlerFixtures.profiles(5))
            let rig = try CrawlerRig()
            var options = CrawlerFixtures.options(seeds: ["ws://127.0.0.1:\(port)", "ws://localhost:\(port)"])
            options.client.addressPolicy = .publicOnly
            options.skipPrivateURLs = true
            let (crawler, directory) = try rig.crawler(options)
            // A relay list naming private relays adds none of them to the directory.
            _ = try rig.store.saveAndWait([
                CrawlerFixtures.relayList([
                    "ws://10.0.0.1", "ws://192.168.1.1:7000", "ws://[::1]:7000", "ws://printer.local",
                    "ws://abc.onion", "ws://169.254.169.254", "wss://relay.example.com",
                ])
            ])
            let summary = await crawler.runOnce()
            #expect(summary.eventsStored == 0)
            #expect(summary.visitFailures == 3)  // relay.example.com does not resolve either
            #expect(crawler.statistics.refusedAddresses == 2)
            #expect(
                Set(directory.records().map(\.url)) == [
                    "ws://127.0.0.1:\(port)", "ws://localhost:\(port)", "wss://relay.example.com",
                ])
            #expect(directory.record(for: "ws://127.0.0.1:\(port)")?.lastError?.contains("address refused") == true)
            directory.close()
        }
    }
}
