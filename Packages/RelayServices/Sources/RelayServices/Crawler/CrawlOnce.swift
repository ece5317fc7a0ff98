import Foundation
import LMDBStore
import Logging
import NostrCore
import PGAnalytics
import PurplePagesConfiguration
import RelayCrawler
import RelaySync

/// `purplepages crawl --once`: one crawler pass outside the relay, for cron and tests. It opens
/// the store for writing beside a running relay (LMDB serialises the writers; the relay's live
/// subscribers do not see these events) and the crawler's directory. Without the analytics
/// database there is no outbox pass.
public enum CrawlOnce {
    /// Runs one pass with `configuration`'s `sync.*` (whether or not `sync.enabled`); `seeds`
    /// adds seed relays to the configured ones.
    public static func run(
        configuration: RelayConfiguration, seeds: [String] = [], logger: Logger
    ) async throws -> CrawlPassSummary {
        var configuration = configuration
        configuration.sync.relays += seeds
        var options = try CrawlerOptions(configuration)
        let policy = EventPolicy(configuration)
        options.client.eventCheck = { event in
            policy.rejection(ofFetched: event, now: Int64(Date().timeIntervalSince1970))
        }
        let store = try EventStore(configuration: configuration.eventStore())
        defer { store.close() }
        let directory = try RelayDirectory(
            path: configuration.sync.resolvedStatePath(storePath: configuration.storage.path),
            maxRelays: configuration.sync.maxRelays, policy: SchedulePolicy(configuration.sync))
        defer { directory.close() }
        let analytics = RelayAnalytics(configuration: configuration, logger: logger)
        if let analytics, options.outbox.enabled { analytics.reloadTrustResultsOnce(logger: logger) }
        let targets = analytics.map {
            AnalyticsOutboxTargets(results: $0.trustResults, trusted: configuration.sync.outbox.trustedEnabled)
        }
        let crawler = Crawler(
            directory: directory, store: store, destination: store, options: options, targets: targets, logger: logger)
        let summary = await crawler.runOnce()
        if let analytics {
            let (changed, removed) = directory.takeChanges()
            analytics.sink.recordRelayDirectory(changed: changed.map(RelayDirectoryRow.init), removed: removed)
            analytics.flushOnce(logger: logger)
        }
        return summary
    }
}
