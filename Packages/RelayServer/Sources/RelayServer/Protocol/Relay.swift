import Foundation
import LMDBStore
import Logging
import NostrCore
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
    private let nextConnection = Atomic<UInt64>(1)

    /// Kinds the relay stores: the configured ones plus kind 5 deletions, which are always accepted.
    let storedKinds: KindSet

    /// A relay over `store`.
    public init(configuration: RelayConfiguration, store: EventStore, logger: Logger = Logger(label: "purplepages")) {
        self.configuration = configuration
        self.store = store
        self.logger = logger
        storedKinds = configuration.allowedKinds.adding(.deletion)
    }

    func newConnectionID() -> UInt64 { nextConnection.add(1, ordering: .relaxed).oldValue }

    /// Sends `event` to every live subscription it matches.
    func broadcast(_ event: Event) {
        for (key, sink) in subscriptions.matches(event) {
            var message: [UInt8] = []
            RelayMessage.event(subscriptionID: key.subscription, eventJSON: event.storageJSON()).write(to: &message)
            if !sink.send(bytes: message) { subscriptions.removeAll(connection: sink.id) }
        }
    }

    /// The current Unix time.
    var now: Int64 { Int64(Date().timeIntervalSince1970) }
}
