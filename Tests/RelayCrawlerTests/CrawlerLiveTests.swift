import Foundation
import LMDBStore
import NostrClient
import NostrCore
import PurplePagesConfiguration
import PurplePagesTestSupport
import RelayCrawler
import RelayServices
import Testing

/// The crawler running (not one pass): a seed's backfill, then its live subscription, with what
/// arrives saved through our relay so its own subscribers see it, and the subscription coming back
/// after the seed restarts.
@Suite("Crawler: live subscriptions", .serialized)
struct CrawlerLiveTests {
    @Test func seedEventsReachTheStoreAndLiveSubscribersOfOurRelay() async throws {
        let backlog = CrawlerFixtures.profiles(30)
        try await withTestRelay { seed, seedPort in
            _ = try seed.store.saveAndWait(backlog)
            try await withTestRelay { ours, ourPort in
                let state = try TemporaryDirectory(prefix: "crawler-live")
                let directory = try RelayDirectory(path: state.path + "/directory", maxRelays: 100)
                let crawler = Crawler(
                    directory: directory, store: ours.store, destination: RelayIngestStore(relay: ours),
                    options: CrawlerFixtures.options(seeds: ["ws://127.0.0.1:\(seedPort)"]))
                let running = Task { await crawler.run() }
                defer { running.cancel() }

                // The backfill.
                try await eventually("the backlog arrives") {
                    try CrawlerFixtures.ids(ours.store).isSuperset(of: backlog.map(\.id))
                }
                try await eventually("the live subscription is open") { crawler.statistics.liveConnections == 1 }

                // A subscriber of our relay, then an event published to the seed.
                try await withClient(port: ourPort) { subscriber in
                    let key = KeyPair.generate()
                    try await subscriber.send(request: "watch", [Filter(authors: [key.publicKey])])
                    _ = try await subscriber.storedEvents("watch")
                    let fresh = key.event(0, content: "{\"name\":\"live\"}")
                    try await withClient(port: seedPort) { publisher in
                        let ok = try await publisher.publish(fresh)
                        #expect(ok.accepted)
                    }
                    let delivered = try await subscriber.liveEvent("watch", timeout: .seconds(10))
                    #expect(try Event(json: delivered).id == fresh.id)
                }
                running.cancel()
                _ = await running.value
                // The cursor moved with the live event: a restart asks from there.
                let cursor = directory.cursor(relay: "ws://127.0.0.1:\(seedPort)", stream: "kinds:0,3,10002,30000")
                #expect((cursor?.newestSeen ?? 0) >= Int64(Date().timeIntervalSince1970) - 60)
                #expect(cursor?.backfillComplete == true)
                directory.close()
            }
        }
    }
}

/// Waits (at most 10 s) until `condition` holds.
func eventually(
    _ what: String, timeout: Duration = .seconds(10), _ condition: () throws -> Bool
) async throws {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try condition() { return }
        try await Task.sleep(for: .milliseconds(50))
    }
    Issue.record("timed out waiting until \(what)")
}
