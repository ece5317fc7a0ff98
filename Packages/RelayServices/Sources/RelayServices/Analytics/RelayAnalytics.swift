import LMDBStore
import Logging
import NostrCore
import PGAnalytics
import PurplePagesConfiguration
import RelayServer
import ServiceLifecycle

/// The relay's analytics side, present only when `storage.analytics_db_url` is set: the tracking
/// sink the relay records into, its flusher, the maintenance chores (migrations, daily snapshot
/// and retention, trust reloads) and the worker's trust results.
struct RelayAnalytics: Sendable {
    /// Where client traffic and replaced versions are aggregated.
    let sink: TrackingSink
    /// The worker's trust results, reloaded by the maintenance.
    let trustResults: AnalyticsTrustResults
    let url: String
    private let configuration: AnalyticsConfiguration
    /// `analytics.history_kinds`, or none when `storage.archive_enabled` is false.
    private let archivedKinds: [Int]

    /// The analytics side `configuration` asks for; nil (said once) when it names no database.
    init?(configuration: RelayConfiguration, logger: Logger) {
        url = configuration.storage.analyticsDatabaseURL
        guard !url.isEmpty else {
            logger.info("analytics tracking is off: storage.analytics_db_url is empty")
            return nil
        }
        self.configuration = configuration.analytics
        archivedKinds = configuration.archivedKinds
        sink = TrackingSink(limits: configuration.analytics.trackingLimits)
        trustResults = AnalyticsTrustResults(
            minimumFollowers: configuration.limits.minTrustedFollowers,
            maxPubkeys: configuration.analytics.worker.reloadMaxPubkeys,
            popularMinimum: configuration.sync.enabled && configuration.sync.outbox.popularEnabled
                ? configuration.sync.outbox.minFollowers : nil)
    }

    /// What the relay records client traffic into.
    var recorder: TrackingRecorder { TrackingRecorder(sink: sink) }

    /// The store's `onReplace`: replaced versions of `analytics.history_kinds` into `event_history`
    /// (none with `storage.archive_enabled` false).
    var onReplace: @Sendable (Event) -> Void {
        EventHistoryArchiver.onReplace(sink, kinds: archivedKinds)
    }

    /// The flusher, as a service: it must stop after everything that records (its final flush
    /// writes what the others left).
    func flusherService(logger: Logger) -> some Service {
        logger.info("analytics tracking is on: flushing every \(configuration.flushSeconds) s")
        return DedicatedThreadService(
            name: "pp-flush",
            loop: TrackingFlusher(sink: sink, url: url, interval: configuration.flushInterval, logger: logger),
            logger: logger)
    }

    /// The maintenance chores over `store`, as a service.
    func maintenanceService(store: EventStore, logger: Logger) -> some Service {
        let maintenance = AnalyticsMaintenance(
            url: url, retention: configuration.retentionPolicy, store: store, tracking: sink,
            trustedFollowers: trustResults, reloadSeconds: configuration.trustReloadSeconds,
            logger: logger)
        return DedicatedThreadService(name: "pp-maintenance", loop: maintenance, logger: logger)
    }
}
