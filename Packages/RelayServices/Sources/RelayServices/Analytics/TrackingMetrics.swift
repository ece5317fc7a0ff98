import PGAnalytics
import Prometheus
import RelayServer
import Synchronization

/// The analytics tracking's backlog on the relay's `/metrics`: keys waiting for the next flush (a
/// gauge), and, as counters, new keys dropped while the aggregates were full and failed flushes
/// (PostgreSQL slow or down).
enum TrackingMetrics {
    /// Registers the metrics in `metrics` and reads them from `sink` at every scrape.
    static func register(_ sink: TrackingSink, in metrics: RelayMetrics) {
        let name = RelayMetrics.name
        let pending = metrics.registry.makeGauge(
            descriptor: name("analytics_pending", "keys", "Tracking aggregates waiting for the next flush"))
        let dropped = metrics.registry.makeCounter(
            descriptor: name(
                "analytics_dropped_keys", "total", "New tracking keys dropped while the aggregates were full"))
        let failures = metrics.registry.makeCounter(
            descriptor: name(
                "analytics_flush_failures", "total", "Tracking flushes that failed (PostgreSQL slow or down)"))
        // The sink keeps running totals since it was created; a counter only goes up, so each
        // scrape adds what the totals grew by since the last one (under a lock: scrapes may overlap).
        let shown = Mutex((dropped: 0, failures: 0))
        metrics.beforeScrape {
            pending.set(Double(sink.pendingKeys))
            shown.withLock { shown in
                let now = (dropped: sink.droppedKeys, failures: sink.flushFailures)
                dropped.increment(by: Int64(max(0, now.dropped - shown.dropped)))
                failures.increment(by: Int64(max(0, now.failures - shown.failures)))
                shown = now
            }
        }
    }
}
