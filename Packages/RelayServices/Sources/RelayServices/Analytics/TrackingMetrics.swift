import PGAnalytics
import Prometheus
import RelayServer

/// The analytics tracking's backlog on the relay's `/metrics`: keys waiting for the next flush,
/// new keys dropped while the aggregates were full, and failed flushes (PostgreSQL slow or down).
enum TrackingMetrics {
    /// Registers the gauges in `metrics` and reads them from `sink` at every scrape.
    static func register(_ sink: TrackingSink, in metrics: RelayMetrics) {
        let name = RelayMetrics.name
        let pending = metrics.registry.makeGauge(
            descriptor: name("analytics_pending", "keys", "Tracking aggregates waiting for the next flush"))
        let dropped = metrics.registry.makeGauge(
            descriptor: name("analytics_dropped", "keys", "New tracking keys dropped while the aggregates were full"))
        let failures = metrics.registry.makeGauge(
            descriptor: name("analytics_flush_failures", "", "Tracking flushes that failed (PostgreSQL slow or down)"))
        metrics.beforeScrape {
            pending.set(Double(sink.pendingKeys))
            dropped.set(Double(sink.droppedKeys))
            failures.set(Double(sink.flushFailures))
        }
    }
}
