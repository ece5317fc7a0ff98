import LMDBStore
import NostrCore
import RelayServer
import RelaySync

/// The crawler's destination in the relay process: reads from the relay's store, saves through
/// `Relay.ingest`, so what the crawler brings reaches live subscribers like a client's EVENT.
public struct RelayIngestStore: SyncStore {
    /// The relay saved through.
    public let relay: Relay

    /// Saves through `relay`.
    public init(relay: Relay) { self.relay = relay }

    public func negentropyItems(_ filter: Filter, limit: Int?) throws -> [NegentropyItem] {
        try relay.store.negentropyItems(filter, limit: limit)
    }

    public func queryEvents(_ filters: [Filter], limit: Int?) throws -> [Event] {
        try relay.store.queryEvents(filters, limit: limit)
    }

    public func storedIDs(among ids: [EventID]) throws -> Set<EventID> { try relay.store.storedIDs(among: ids) }

    public func save(_ events: [Event]) async throws -> [SaveOutcome] { try await relay.ingest(events) }
}
