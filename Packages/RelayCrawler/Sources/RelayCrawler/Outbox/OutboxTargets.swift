import NostrCore

/// Who the outbox pass fetches for: the pubkeys that matter (the analytics worker's trusted
/// set and follower counts, as the relay holds them), most important first.
public protocol OutboxTargets: Sendable {
    /// At most `limit` pubkeys (64 lowercase hex), most important first.
    func outboxTargets(limit: Int) -> [String]
}
