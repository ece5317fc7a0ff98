import LMDBStore
import NostrCore

extension Relay {
    /// Stores events fetched from other relays (the crawler's and sync's downloads) the way a
    /// client's EVENT is stored: through the store's rules (replaceable versions, deletions,
    /// tombstones, expiration), then to every live subscription they match.
    ///
    /// The events must have been checked already (id, signature and `rejection(ofFetched:)`), as
    /// NostrClient does when given that check: verifying twice would halve the crawler's speed.
    public func ingest(_ events: [Event]) async throws -> [SaveOutcome] {
        guard !events.isEmpty else { return [] }
        let saved = try await withCheckedThrowingContinuation { continuation in
            store.save(events) { result in continuation.resume(with: result) }
        }
        for (event, result) in zip(events, saved) where result.outcome == .stored || result.outcome == .replaced {
            broadcastLater(event, sequence: result.sequence ?? .max)
        }
        return saved.map(\.outcome)
    }

    /// Why an event fetched from another relay is refused before storage, if it is: the policy of
    /// a client's EVENT (allowed kinds, sizes, created_at bounds), and NIP-70: a protected event is
    /// only ever accepted from its author, so one relayed by a third party is refused. (The id
    /// and signature are the client's checks.)
    public func rejection(ofFetched event: Event) -> Reason? { eventPolicy.rejection(ofFetched: event, now: now) }
}
