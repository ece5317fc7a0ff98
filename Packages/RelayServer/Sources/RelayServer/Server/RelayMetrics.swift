import LMDBStore
import NostrCore
import Prometheus
import PurplePagesConfiguration
import Synchronization

/// The relay's Prometheus metrics, served at `/metrics`, named as Prometheus asks: counters end in
/// `_total`, values are in base units (seconds, bytes), and no gauge shares a base name with a
/// counter.
public final class RelayMetrics: Sendable {
    /// Where every metric is registered.
    public let registry = PrometheusCollectorRegistry()
    let openConnections: Gauge
    let connectionsAccepted: Counter
    let slowConsumers: Counter
    let queryLatency: DurationHistogram
    let writerBatchEvents: ValueHistogram
    let writerCommitLatency: DurationHistogram
    /// NIP-77 sessions open now, and the items (events) their lists hold: the memory they take.
    let negentropySessions: Gauge
    let negentropyItems: Gauge
    /// Messages received, indexed by `MessageType.rawValue`.
    private let messages: [Counter]
    private let rejections: [ReasonPrefix: Counter]
    private let liveSubscriptions: Gauge
    private let writerQueue: Gauge
    private let storeSize: Gauge
    private let storeMapSize: Gauge
    private let process = ProcessMetrics()
    private let scrapeHooks = Mutex<[@Sendable () -> Void]>([])

    /// Registers every metric (those of events by kind come with the relay: `eventCounters`).
    public init() {
        let name = Self.name
        let registry = self.registry
        openConnections = registry.makeGauge(
            descriptor: name("open_connections", "", "WebSocket connections open now"))
        connectionsAccepted = registry.makeCounter(
            descriptor: name("connections_accepted", "total", "WebSocket connections accepted"))
        slowConsumers = registry.makeCounter(
            descriptor: name("slow_consumers", "total", "Connections closed for falling too far behind"))
        queryLatency = registry.makeDurationHistogram(
            descriptor: name("query", "seconds", "Time to answer a REQ's stored events"), buckets: Self.latencyBuckets)
        writerBatchEvents = registry.makeValueHistogram(
            descriptor: name("writer_batch", "events", "Events per write transaction"),
            buckets: [1, 2, 5, 10, 50, 100, 500, 1000, 5000, 10000])
        writerCommitLatency = registry.makeDurationHistogram(
            descriptor: name("writer_commit", "seconds", "Write transaction time"), buckets: Self.latencyBuckets)
        negentropySessions = registry.makeGauge(
            descriptor: name("negentropy_sessions", "", "NIP-77 negentropy sessions open now"))
        negentropyItems = registry.makeGauge(
            descriptor: name("negentropy_items", "", "Events listed by the open negentropy sessions"))
        messages = MessageType.allCases.map { type in
            registry.makeCounter(
                descriptor: name("messages_received", "total", "Client messages received, by type"),
                labels: [("type", type.label)])
        }
        var rejections: [ReasonPrefix: Counter] = [:]
        for prefix in ReasonPrefix.allCases {
            rejections[prefix] = registry.makeCounter(
                descriptor: name("events_rejected", "total", "EVENTs answered OK false, by reason prefix"),
                labels: [("reason", prefix.rawValue)])
        }
        self.rejections = rejections
        liveSubscriptions = registry.makeGauge(descriptor: name("live_subscriptions", "", "Live subscriptions"))
        writerQueue = registry.makeGauge(descriptor: name("writer_queued", "events", "Events waiting for the writer"))
        storeSize = registry.makeGauge(
            descriptor: name("store_size", "bytes", "Size of the event store's data file (data.mdb)"))
        storeMapSize = registry.makeGauge(
            descriptor: name("store_map_size", "bytes", "Address space the event store maps (it doubles when full)"))
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

    /// Counts one client message.
    func received(_ type: MessageType) { messages[type.rawValue].increment() }

    func rejected(_ reason: Reason) { rejections[reason.prefix]?.increment() }

    /// The counters of EVENTs by kind and outcome for a relay storing `storedKinds`.
    func eventCounters(storedKinds: KindSet?) -> EventCounters {
        EventCounters(registry: registry, storedKinds: storedKinds)
    }

    /// The text exposition, with gauges that are read at scrape time set first.
    func render(liveSubscriptions: Int, store: EventStore) -> [UInt8] {
        self.liveSubscriptions.set(Double(liveSubscriptions))
        writerQueue.set(Double(store.queuedEvents))
        if let size = store.dataFileBytes { storeSize.set(Double(size)) }
        storeMapSize.set(Double(store.mapSizeBytes))
        for hook in scrapeHooks.withLock({ $0 }) { hook() }
        var output = registry.emitToBuffer()
        process.emit(into: &output)
        return output
    }
}
