import Hummingbird
import LMDBStore
import Logging
import PurplePagesConfiguration
import RelayServer
import ServiceLifecycle

/// Everything the `purplepages` process runs, as one `ServiceGroup`: the event store's writer,
/// the analytics tracking's flusher and maintenance (with an analytics database), and the HTTP and
/// WebSocket server. The group starts them together and, on SIGTERM or SIGINT, stops them in the
/// reverse of this order:
///
/// 1. the server stops accepting and closes its connections (nothing new is written);
/// 2. the expired-event purge and the crawler stop (its last batch is committed), and the analytics
///    maintenance stops between two chores;
/// 3. the writer commits everything queued (the archive hears of the last replaced versions);
/// 4. the tracking flusher writes what the sink holds, in one last attempt.
public enum RelayProcess {
    /// Opens the store `configuration` names and serves until a shutdown signal. `port`
    /// overrides `server.port`.
    public static func run(configuration: RelayConfiguration, port: Int? = nil, logger: Logger) async throws {
        for warning in configuration.warnings { logger.warning("\(warning)") }
        // Every connection is a file descriptor; distributions start processes with a soft limit of 1024.
        logger.info("open files limit: \(OpenFileLimit.raiseToHardLimit())")
        let metrics = RelayMetrics()
        let analytics = RelayAnalytics(configuration: configuration, logger: logger)
        var storeConfiguration = configuration.eventStore()
        storeConfiguration.writerThread = .external
        storeConfiguration.onCommit = metrics.commitObserver
        storeConfiguration.onReplace = analytics?.onReplace
        let store = try EventStore(configuration: storeConfiguration)
        defer { store.close() }
        if let analytics { TrackingMetrics.register(analytics.sink, in: metrics) }
        let relay = try Relay(
            configuration: configuration, store: store, logger: logger,
            trustedFollowers: analytics?.trustResults ?? NoTrustedFollowers(), metrics: metrics,
            traffic: analytics?.recorder)
        let application = RelayApplication.make(relay: relay, port: port) { boundPort in
            logger.info(
                "purplepages listening on \(configuration.server.host):\(boundPort), store \(configuration.storage.path)"
            )
        }
        var services: [any Service] = []
        if let analytics { services.append(analytics.flusherService(logger: logger)) }
        services.append(
            DedicatedThreadService(
                name: "pp-store-writer", loop: StoreWriterLoop(store: store), stackSize: EventStore.writerStackSize,
                stopTimeout: .seconds(60), logger: logger))
        if let analytics { services.append(analytics.maintenanceService(store: store, logger: logger)) }
        if configuration.sync.enabled {
            services.append(
                try CrawlerService.make(
                    configuration: configuration, relay: relay, analytics: analytics, metrics: metrics,
                    logger: logger))
        } else {
            logger.info("network sync is off (sync.enabled is false): this relay contacts no other relay")
        }
        if configuration.storage.purgeExpiredMinutes > 0 {
            services.append(
                ExpiredEventPurge(
                    store: store, interval: .seconds(configuration.storage.purgeExpiredMinutes * 60), logger: logger))
        }
        services.append(application)
        let group = ServiceGroup(
            configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
        logger.info("purplepages stopped")
    }
}
