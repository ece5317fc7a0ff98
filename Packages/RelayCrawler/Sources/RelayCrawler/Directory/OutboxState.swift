/// Outbox sync's progress for one pubkey: what has been fetched from its own write relays and when
/// to ask them again.
public struct OutboxState: Sendable, Equatable, Codable {
    /// The newest `created_at` fetched for this pubkey from its write relays.
    public var since: Int64? = nil
    /// Consecutive fetches that found nothing new for a kind the pubkey lacks (to back off from it).
    public var misses: Int = 0
    /// When to fetch again, in unix seconds.
    public var nextAttempt: Int64 = 0

    /// A state; the defaults describe a pubkey never fetched, due at once.
    public init(since: Int64? = nil, misses: Int = 0, nextAttempt: Int64 = 0) {
        self.since = since
        self.misses = misses
        self.nextAttempt = nextAttempt
    }
}
