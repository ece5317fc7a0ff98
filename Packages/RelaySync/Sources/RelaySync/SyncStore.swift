import LMDBStore
import NostrCore

/// The local side of a sync: where its items are listed, uploads are read and downloads go.
/// `EventStore` is one; the relay process hands the crawler another that saves through the
/// relay (live subscribers see what arrives) and leaves room for clients' EVENTs.
public protocol SyncStore: Sendable {
    /// The (created_at, id) of every stored event `filter` matches, at most `limit` (beyond it:
    /// `StoreError.tooManyResults`).
    func negentropyItems(_ filter: Filter, limit: Int?) throws -> [NegentropyItem]
    /// The stored events `filters` match, at most `limit`.
    func queryEvents(_ filters: [Filter], limit: Int?) throws -> [Event]
    /// Which of `ids` the store holds now.
    func storedIDs(among ids: [EventID]) throws -> Set<EventID>
    /// Saves `events` (already checked: id, signature, policy) through the store's rules.
    func save(_ events: [Event]) async throws -> [SaveOutcome]
}

extension EventStore: SyncStore {}
