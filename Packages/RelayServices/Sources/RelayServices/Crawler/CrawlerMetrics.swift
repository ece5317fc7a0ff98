import Prometheus
import RelayCrawler
import RelayServer
import Synchronization

/// The crawler on the relay's `/metrics`: totals as counters, the directory and live connections
/// as gauges. Per relay figures go to PostgreSQL (`relay_directory`), not to labels here: the
/// directory can hold 100,000 relays, far too many series for Prometheus.
enum CrawlerMetrics {
    /// Registers the metrics in `metrics` and reads them from `statistics` and `directory` at every scrape.
    static func register(_ statistics: CrawlerStatistics, directory: RelayDirectory, in metrics: RelayMetrics) {
        let name = RelayMetrics.name
        let registry = metrics.registry
        let counters: [(Counter, @Sendable (CrawlerStatistics) -> Int)] = [
            (registry.makeCounter(descriptor: name("crawler_visits", "total", "Relay visits finished")), \.visits),
            (
                registry.makeCounter(descriptor: name("crawler_visit_failures", "total", "Relay visits that failed")),
                \.visitFailures
            ),
            (
                registry.makeCounter(
                    descriptor: name("crawler_refused_addresses", "total", "Connections refused: non-public address")),
                \.refusedAddresses
            ),
            (
                registry.makeCounter(descriptor: name("crawler_events_stored", "total", "Events the crawler stored")),
                \.eventsStored
            ),
            (
                registry.makeCounter(
                    descriptor: name("crawler_events_received", "total", "Events received from other relays")),
                \.eventsReceived
            ),
            (
                registry.makeCounter(
                    descriptor: name("crawler_events_refused", "total", "Events received and refused (invalid, policy)")
                ),
                \.eventsRefused
            ),
            (
                registry.makeCounter(
                    descriptor: name("crawler_received_bytes", "total", "Wire bytes received from other relays")),
                \.bytesReceived
            ),
            (
                registry.makeCounter(descriptor: name("crawler_requests", "total", "REQs sent to other relays")),
                \.requests
            ),
            (registry.makeCounter(descriptor: name("crawler_outbox_passes", "total", "Outbox passes")), \.outboxPasses),
        ]
        let relays = registry.makeGauge(descriptor: name("crawler_relays", "count", "Relays in the directory"))
        let inFlight = registry.makeGauge(descriptor: name("crawler_visits_in_progress", "count", "Visits running"))
        let live = registry.makeGauge(
            descriptor: name("crawler_live_connections", "count", "Live subscriptions on seed relays"))
        let shown = Mutex([Int](repeating: 0, count: counters.count))
        metrics.beforeScrape {
            relays.set(Double(directory.count))
            inFlight.set(Double(directory.inFlight))
            live.set(Double(statistics.liveConnections))
            shown.withLock { shown in
                for (index, (counter, read)) in counters.enumerated() {
                    let now = read(statistics)
                    counter.increment(by: Int64(max(0, now - shown[index])))
                    shown[index] = now
                }
            }
        }
    }
}
