import Foundation
import LMDBStore
import LMDBStoreTesting
import NostrClient
import NostrCore
import PurplePagesTestSupport
import RelayCrawler
import RelaySync

/// What the crawler tests share: options for loopback relays, a crawler over a temporary store
/// and directory, and events.
enum CrawlerFixtures {
    /// A day ago: old enough that a resumed crawl's overlap window does not reach the fixtures.
    static let base = Int64(Date().timeIntervalSince1970) - 86_400

    /// Options for relays on loopback (private addresses allowed), with short waits.
    static func options(seeds: [String], kinds: [Kind] = [0, 3, 10002, 30000]) -> CrawlerOptions {
        var options = CrawlerOptions()
        options.seeds = seeds
        options.kinds = kinds
        options.skipPrivateURLs = false
        options.client.addressPolicy = .any
        options.client.connectTimeout = .seconds(3)
        options.responseTimeout = .seconds(5)
        options.negentropyTimeout = .seconds(3)
        options.visitTime = .seconds(20)
        options.pageSize = 100
        options.reconnectDelay = .milliseconds(200)
        options.discoveryInterval = .milliseconds(200)
        return options
    }

    /// `count` profiles (kind 0), each by a new key, `created_at` from `base + offset`.
    static func profiles(_ count: Int, offset: Int64 = 0) -> [Event] {
        (0..<count).map { index in
            KeyPair.generate().event(0, content: "{\"name\":\"p\(index)\"}", at: base + offset + Int64(index))
        }
    }

    /// A relay list (kind 10002) naming `urls`.
    static func relayList(_ urls: [String], by key: KeyPair = .generate()) -> Event {
        key.event(10002, tags: urls.map { ["r", $0] }, at: base)
    }

    /// The ids a store holds.
    static func ids(_ store: EventStore) throws -> Set<EventID> {
        Set(try store.negentropyItems(Filter()).map(\.id))
    }
}

/// A crawler over a fresh store and directory (both removed at the end).
final class CrawlerRig: Sendable {
    let local: TemporaryStore
    let state: TemporaryDirectory

    init() throws {
        local = try TemporaryStore()
        state = try TemporaryDirectory(prefix: "crawler-state")
    }

    var store: EventStore { local.store }

    /// Opens the directory (again, after a "restart") and builds a crawler with `options`, saving into `destination`.
    func crawler(
        _ options: CrawlerOptions, destination: (any SyncStore)? = nil, targets: (any OutboxTargets)? = nil
    ) throws -> (Crawler, RelayDirectory) {
        let directory = try RelayDirectory(path: state.path + "/directory", maxRelays: 1000)
        let crawler = Crawler(
            directory: directory, store: store, destination: destination ?? store, options: options, targets: targets)
        return (crawler, directory)
    }
}
