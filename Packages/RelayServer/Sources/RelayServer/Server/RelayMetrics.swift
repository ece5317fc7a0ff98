import NostrCore
import Prometheus
import Synchronization

/// The relay's Prometheus metrics, served at `/metrics`.
public final class RelayMetrics: Sendable {
    /// Where every metric is registered.
    public let registry = PrometheusCollectorRegistry()
    let connections: Gauge
    let connectionsTotal: Counter
    let eventsAccepted: Counter
    let requests: Counter
    let slowConsumers: Counter
    let queryLatency: DurationHistogram
    let writerBatchEvents: ValueHistogram
    let writerCommitLatency: DurationHistogram
    private let rejections: [ReasonPrefix: Counter]
    private let liveSubscriptions: Gauge
    private let writerQueue: Gauge
    private let scrapeHooks = Mutex<[@Sendable () -> Void]>([])

    /// Registers every metric.
    public init() {
        let name = Self.name
        connections = registry.makeGauge(descriptor: name("connections", "", "Open WebSocket connections"))
        connectionsTotal = registry.makeCounter(
            descriptor: name("connections", "total", "WebSocket connections accepted"))
        eventsAccepted = registry.makeCounter(descriptor: name("events_accepted", "total", "EVENTs answered OK true"))
        requests = registry.makeCounter(descriptor: name("requests", "total", "REQ and COUNT messages handled"))
        slowConsumers = registry.makeCounter(
            descriptor: name("slow_consumers", "total", "Connections closed for falling too far behind"))
        queryLatency = registry.makeDurationHistogram(
            descriptor: name("query", "seconds", "Time to answer a REQ's stored events"), buckets: Self.latencyBuckets)
        writerBatchEvents = registry.makeValueHistogram(
            descriptor: name("writer_batch", "events", "Events per write transaction"),
            buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000])
        writerCommitLatency = registry.makeDurationHistogram(
            descriptor: name("writer_commit", "seconds", "Write transaction time"), buckets: Self.latencyBuckets)
        var rejections: [ReasonPrefix: Counter] = [:]
        for prefix in ReasonPrefix.allCases {
            rejections[prefix] = registry.makeCounter(
                descriptor: name("events_rejected", "total", "EVENTs answered OK false, by reason prefix"),
                labels: [("reason", prefix.rawValue)])
        }
        self.rejections = rejections
        liveSubscriptions = registry.makeGauge(descriptor: name("live_subscriptions", "", "Live subscriptions"))
        writerQueue = registry.makeGauge(descriptor: name("writer_queued", "events", "Events waiting for the writer"))
    }

    /// A metric name in the relay's namespace, for metrics other components register in `registry`.
    public static func name(_ metric: String, _ unit: String, _ help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: "purplepages", metricName: metric, unitName: unit, helpText: help)
    }

    /// Runs `hook` before every scrape, so that gauges other components registered in `registry`
    /// are read when they are shown (e.g. the analytics tracking's backlog).
    public func beforeScrape(_ hook: @escaping @Sendable () -> Void) {
        scrapeHooks.withLock { $0.append(hook) }
    }

    static let latencyBuckets: [Duration] = [
        .microseconds(100), .microseconds(250), .microseconds(500), .milliseconds(1), .milliseconds(2),
        .milliseconds(5), .milliseconds(10), .milliseconds(50), .milliseconds(250), .seconds(1),
    ]

    /// Records one write transaction; install it as the store's `onCommit`.
    public var commitObserver: @Sendable (_ events: Int, _ duration: Duration) -> Void {
        { [writerBatchEvents, writerCommitLatency] events, duration in
            writerBatchEvents.record(Double(events))
            writerCommitLatency.record(duration)
        }
    }

    func rejected(_ reason: Reason) { rejections[reason.prefix]?.increment() }

    /// The text exposition, with gauges that are read at scrape time set first.
    func render(liveSubscriptions: Int, queuedEvents: Int) -> [UInt8] {
        self.liveSubscriptions.set(Double(liveSubscriptions))
        writerQueue.set(Double(queuedEvents))
        for hook in scrapeHooks.withLock({ $0 }) { hook() }
        return registry.emitToBuffer()
    }
}
