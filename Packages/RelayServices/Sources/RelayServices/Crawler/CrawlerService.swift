import Foundation
import LMDBStore
import Logging
import PGAnalytics
import PurplePagesConfiguration
import RelayCrawler
import RelayServer
import ServiceLifecycle

/// The network crawler as one of the relay process's services (when `sync.enabled`): it runs
/// until shutdown begins, and stops before the store's writer. The relay directory's changes go
/// to the tracking sink (`relay_directory` in PostgreSQL) for the pages.
struct CrawlerService: Service, CustomStringConvertible {
    let crawler: Crawler
    let directory: RelayDirectory
    let tracking: TrackingSink?
    let publishInterval: Duration
    let logger: Logger

    var description: String { "CrawlerService" }

    /// Opens the directory and builds the crawler over `relay` (and its analytics, for outbox targets).
    static func make(
        configuration: RelayConfiguration, relay: Relay, analytics: RelayAnalytics?, metrics: RelayMetrics,
        logger: Logger
    ) throws -> CrawlerService {
        let options = try CrawlerOptions(configuration)
        let directory = try RelayDirectory(
            path: configuration.sync.resolvedStatePath(storePath: configuration.storage.path),
            maxRelays: configuration.sync.maxRelays, policy: SchedulePolicy(configuration.sync))
        var clientOptions = options
        clientOptions.client.eventCheck = { [relay] event in relay.rejection(ofFetched: event) }
        let targets = analytics.map {
            AnalyticsOutboxTargets(results: $0.trustResults, trusted: configuration.sync.outbox.trustedEnabled)
        }
        let crawler = Crawler(
            directory: directory, store: relay.store, destination: RelayIngestStore(relay: relay),
            options: clientOptions, targets: targets, logger: logger)
        CrawlerMetrics.register(crawler.statistics, directory: directory, in: metrics)
        if analytics == nil && clientOptions.outbox.enabled {
            logger.notice("crawler: outbox sync needs the analytics results (storage.analytics_db_url); it is off")
        }
        return CrawlerService(
            crawler: crawler, directory: directory, tracking: analytics?.sink,
            publishInterval: .seconds(configuration.analytics.flushSeconds), logger: logger)
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            await withTaskGroup(of: Void.self) { group in
                group.addTask { await crawler.run() }
                if let tracking {
                    group.addTask {
                        while !Task.isCancelled {
                            publish(to: tracking)
                            try? await Task.sleep(for: publishInterval)
                        }
                    }
                }
                await group.waitForAll()
            }
        }
        if let tracking { publish(to: tracking) }
        directory.close()
    }

    /// Hands the directory's changes since the last call to the tracking sink.
    private func publish(to tracking: TrackingSink) {
        let (changed, removed) = directory.takeChanges()
        guard !changed.isEmpty || !removed.isEmpty else { return }
        tracking.recordRelayDirectory(changed: changed.map(RelayDirectoryRow.init), removed: removed)
    }
}

extension RelayDirectoryRow {
    /// The row of `record`.
    init(_ record: RelayRecord) {
        func date(_ seconds: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(seconds)) }
        self.init(
            url: record.url, firstSeen: date(record.firstSeen), listedBy: record.listedBy, isSeed: record.isSeed,
            lastAttempt: record.lastAttempt.map(date), lastSuccess: record.lastSuccess.map(date),
            consecutiveFailures: record.consecutiveFailures, nextAttempt: date(record.nextAttempt),
            visits: record.visits, failures: record.failures, eventsContributed: record.eventsContributed,
            bytesReceived: record.bytesReceived, supportsNegentropy: record.supportsNegentropy,
            lastError: record.lastError)
    }
}
