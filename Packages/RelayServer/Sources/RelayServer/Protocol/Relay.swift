import Foundation
import LMDBStore
import Logging
import NostrCore
import PurplePagesConfiguration
import Synchronization

/// The relay's shared state: configuration, the event store, live subscriptions and the
/// policies every connection applies. One per process; connections hold a reference.
public final class Relay: Sendable {
    /// The configuration in force.
    public let configuration: RelayConfiguration
    /// The event store.
    public let store: EventStore
    let subscriptions = SubscriptionRegistry()
    let keyCache = PublicKeyCache()
    let logger: Logger
    let eventBuckets: TokenBuckets
    let reqBuckets: TokenBuckets
    let connectionBuckets: TokenBuckets
    let servedBudget: ServedBudget
    /// Closes the NIP-77 sessions of clients that went quiet.
    let negentropySweeper: NegentropySweeper
    /// Items held by every connection's negentropy sessions, against the relay-wide cap.
    let negentropyBudget: NegentropyBudget
    let clientAddress: ClientAddress
    /// Who counts as a trusted heavy user (analytics results; nobody until they exist).
    let trustedFollowers: any TrustedFollowerProvider
    /// Prometheus metrics.
    public let metrics: RelayMetrics
    /// Where client traffic is recorded for analytics (nil: not recorded).
    public let traffic: (any TrafficRecorder)?
    private let nextConnection = Atomic<UInt64>(1)

    /// Allowed kinds and sizes, shared with the importer.
    let eventPolicy: EventPolicy
    /// EVENTs answered, by kind (labelled within `eventPolicy`'s kinds) and outcome.
    let eventCounters: EventCounters

    /// A relay over `store`.
    public init(
        configuration: RelayConfiguration, store: EventStore, logger: Logger = Logger(label: "purplepages"),
        trustedFollowers: any TrustedFollowerProvider = NoTrustedFollowers(), metrics: RelayMetrics = RelayMetrics(),
        traffic: (any TrafficRecorder)? = nil
    ) throws(ConfigurationError) {
        self.metrics = metrics
        self.traffic = traffic
        self.configuration = configuration
        self.store = store
        self.logger = logger
        self.trustedFollowers = trustedFollowers
        eventPolicy = EventPolicy(configuration)
        eventCounters = metrics.eventCounters(storedKinds: eventPolicy.storedKinds)
        let limits = configuration.limits
        eventBuckets = TokenBuckets(rate: limits.eventRate, burst: Double(limits.eventBurst))
        reqBuckets = TokenBuckets(rate: limits.reqRate, burst: Double(limits.reqBurst))
        connectionBuckets = TokenBuckets(rate: limits.connectionRate, burst: Double(limits.connectionBurst))
        servedBudget = ServedBudget(limit: limits.eventsPerDayLimit)
        negentropySweeper = NegentropySweeper(idleTime: .seconds(limits.negentropyIdleSeconds))
        negentropyBudget = NegentropyBudget(limit: limits.negentropyMaxTotalItems)
        clientAddress = try ClientAddress(trustedProxies: configuration.trustedProxies)
    }

    /// Seconds since the Unix epoch, with a fraction, for the token buckets.
    var preciseNow: Double { Date().timeIntervalSince1970 }

    func newConnectionID() -> UInt64 { nextConnection.add(1, ordering: .relaxed).oldValue }

    /// Sends `event` to every live subscription it matches (the JSON is encoded once).
    /// `sequence` is the event's store sequence number (`.max` for events that are not stored):
    /// subscriptions still sending stored events hold it until their EOSE.
    func broadcast(_ event: Event, sequence: UInt64 = .max) {
        let matches = subscriptions.matches(event, sequence: sequence)
        guard !matches.isEmpty else { return }
        let json = event.storageJSON()
        for (key, sink) in matches {
            var message: [UInt8] = []
            message.reserveCapacity(json.count + key.subscription.utf8.count + 16)
            RelayMessage.event(subscriptionID: key.subscription, eventJSON: json).write(to: &message)
            if subscriptions.hold(key, sequence: sequence, bytes: message) { continue }
            if !sink.send(bytes: message) { subscriptions.removeAll(connection: sink.id) }
        }
    }

    /// Fans `event` out on the concurrency pool, so the store's writer (which calls this from its
    /// commit completion) goes straight on to the next commit.
    func broadcastLater(_ event: Event, sequence: UInt64) {
        guard !subscriptions.isEmpty else { return }
        Task { self.broadcast(event, sequence: sequence) }
    }

    /// The current Unix time.
    var now: Int64 { Int64(Date().timeIntervalSince1970) }
}
