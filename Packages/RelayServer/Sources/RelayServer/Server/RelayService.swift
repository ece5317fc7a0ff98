import Hummingbird
import LMDBStore
import Logging
import PurplePagesConfiguration
import ServiceLifecycle

/// Runs the relay until SIGTERM or SIGINT: opens the store, serves, and on shutdown stops
/// accepting, closes connections, lets the writer commit what it holds, and returns.
public enum RelayService {
    /// Opens the store described by `configuration` and serves until a shutdown signal.
    public static func run(configuration: RelayConfiguration, port: Int? = nil, logger: Logger) async throws {
        for key in configuration.unknownKeys { logger.warning("config: unknown key \(key) is ignored") }
        // Every connection is a file descriptor; distributions start processes with a soft limit of 1024.
        logger.info("open files limit: \(OpenFileLimit.raiseToHardLimit())")
        let metrics = RelayMetrics()
        var storeConfiguration = EventStoreConfiguration(
            path: configuration.storage.path, mapSizeGB: configuration.storage.mapSizeGB,
            defaultLimit: configuration.limits.defaultLimit, maxLimit: configuration.limits.maxLimit)
        storeConfiguration.onCommit = metrics.commitObserver
        let store = try EventStore(configuration: storeConfiguration)
        defer { store.close() }
        let relay = try Relay(configuration: configuration, store: store, logger: logger, metrics: metrics)
        if configuration.storage.analyticsDatabaseURL.isEmpty {
            logger.info("analytics tracking is off: storage.analytics_db_url is empty")
        }
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
