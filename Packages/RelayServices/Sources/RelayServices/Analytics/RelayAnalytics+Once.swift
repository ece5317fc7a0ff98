import Logging
import PGAnalytics

extension RelayAnalytics {
    /// Loads the worker's trust results once (for a one-shot crawl); a failure is logged.
    func reloadTrustResultsOnce(logger: Logger) {
        do {
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            try trustResults.reload(from: connection)
        } catch {
            logger.warning("analytics: cannot read the trust results: \(error)")
        }
    }

    /// Migrates the schema and writes what the sink holds, once (for a one-shot crawl); a failure
    /// is logged.
    func flushOnce(logger: Logger) {
        do {
            let connection = try PostgresConnection(url: url)
            defer { connection.close() }
            try AnalyticsSchema.migrate(connection)
            try sink.flush(to: connection)
        } catch {
            logger.warning("analytics: cannot write the relay directory to PostgreSQL: \(error)")
        }
    }
}
