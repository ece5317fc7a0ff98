import RelayCrawler

/// The outbox pass's pubkeys from the worker's results as the relay holds them.
struct AnalyticsOutboxTargets: OutboxTargets {
    let results: AnalyticsTrustResults
    /// Whether trusted pubkeys are included (`trusted_sync.disabled` false).
    let trusted: Bool

    func outboxTargets(limit: Int) -> [String] { results.crawlTargets(limit: limit, trusted: trusted) }
}
