import Hummingbird
import LMDBStore
import Logging
import NostrCore
import PGAnalytics
import PurplePagesConfiguration
import ServiceLifecycle

/// Runs the relay until SIGTERM or SIGINT: opens the store, serves, and on shutdown stops
/// accepting, closes connections, lets the writer commit what it holds, flushes the analytics
/// tracking it holds, and returns.
public enum RelayService {
    /// Opens the store described by `configuration` and serves until a shutdown signal.
    public static func run(configuration: RelayConfiguration, port: Int? = nil, logger: Logger) async throws {
        for key in configuration.unknownKeys { logger.warning("config: unknown key \(key) is ignored") }
        // Every connection is a file descriptor; distributions start processes with a soft limit of 1024.
        logger.info("open files limit: \(OpenFileLimit.raiseToHardLimit())")
        let metrics = RelayMetrics()
        let analytics = AnalyticsWiring(configuration: configuration, logger: logger)
        var storeConfiguration = EventStoreConfiguration(
            path: configuration.storage.path, mapSizeGB: configuration.storage.mapSizeGB,
            defaultLimit: configuration.limits.defaultLimit, maxLimit: configuration.limits.maxLimit)
        storeConfiguration.onCommit = metrics.commitObserver
        storeConfiguration.onReplace = analytics.archiveReplaced
        let store = try EventStore(configuration: storeConfiguration)
        defer { store.close() }
        let relay = try Relay(
            configuration: configuration, store: store, logger: logger,
            trustedFollowers: analytics.trustedFollowers ?? NoTrustedFollowers(), metrics: metrics,
            tracking: analytics.sink)
        analytics.start(store: store)
        defer { analytics.stop() }
        let application = RelayApplication.make(relay: relay, port: port) { boundPort in
            logger.info(
                "purplepages listening on \(configuration.server.host):\(boundPort), store \(configuration.storage.path)"
            )
        }
        let services = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await services.run()
        logger.info("purplepages stopped")
    }
}

/// The relay's analytics side: the tracking sink, its background flusher and the daily
/// maintenance, all absent when `storage.analytics_db_url` is empty (tracking off, said once).
struct AnalyticsWiring: Sendable {
    let sink: TrackingSink?
    /// The worker's trust results, reloaded by the maintenance thread.
    let trustedFollowers: AnalyticsTrustedFollowers?
    private let running: RunningBox
    private let url: String
    private let configuration: AnalyticsConfiguration
    private let log: @Sendable (String) -> Void

    init(configuration: RelayConfiguration, logger: Logger) {
        url = configuration.storage.analyticsDatabaseURL
        self.configuration = configuration.analytics
        log = { logger.info("\($0)") }
        running = RunningBox()
        guard !url.isEmpty else {
            logger.info("analytics tracking is off: storage.analytics_db_url is empty")
            sink = nil
            trustedFollowers = nil
            return
        }
        sink = TrackingSink(limits: TrackingLimits(maxKeys: configuration.analytics.maxPendingKeys))
        trustedFollowers = AnalyticsTrustedFollowers(
            minimumFollowers: configuration.limits.minTrustedFollowers,
            maxPubkeys: configuration.analytics.worker.reloadMaxPubkeys)
    }

    /// Archives replaced versions of the configured kinds in `event_history`.
    var archiveReplaced: (@Sendable (Event) -> Void)? {
        sink.map { Relay.historyArchiver($0, kinds: configuration.historyKinds) }
    }

    func start(store: EventStore) {
        guard let sink else { return }
        var retention = AnalyticsRetention()
        retention.hourlyDays = configuration.retention.hourlyDays
        retention.dailyDays = configuration.retention.dailyDays
        retention.cooccurrenceMaxRows = configuration.retention.cooccurrenceMaxRows
        retention.cooccurrenceMaxAgeDays = configuration.retention.cooccurrenceMaxAgeDays
        retention.historyDays = configuration.retention.historyDays > 0 ? configuration.retention.historyDays : nil
        let maintenance = AnalyticsMaintenance(
            url: url, retention: retention, store: store, tracking: sink, trustedFollowers: trustedFollowers,
            reloadSeconds: Double(configuration.worker.reloadMinutes * 60), log: log)
        maintenance.start()
        running.maintenance = maintenance
        running.flusher = TrackingFlusher(
            sink: sink, url: url, interval: .seconds(configuration.flushSeconds), log: log)
        log("analytics tracking is on: flushing every \(configuration.flushSeconds) s")
    }

    /// Stops the maintenance, then flushes what the sink holds (shutdown loses nothing it can write).
    func stop() {
        running.maintenance?.stop()
        running.flusher?.stop()
    }
}

/// What `start` started (the wiring itself is a value).
private final class RunningBox: @unchecked Sendable {
    var maintenance: AnalyticsMaintenance?
    var flusher: TrackingFlusher?
}
