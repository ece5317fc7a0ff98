import Synchronization

/// Running totals of the crawler since it started (for `/metrics` and the pass summary).
public final class CrawlerStatistics: Sendable {
    let visitsCount = Atomic<Int>(0)
    let visitFailuresCount = Atomic<Int>(0)
    let refusedAddressesCount = Atomic<Int>(0)
    let eventsStoredCount = Atomic<Int>(0)
    let eventsReceivedCount = Atomic<Int>(0)
    let eventsRefusedCount = Atomic<Int>(0)
    let bytesReceivedCount = Atomic<Int>(0)
    let requestsCount = Atomic<Int>(0)
    let liveConnectionsCount = Atomic<Int>(0)
    let outboxPassesCount = Atomic<Int>(0)
    let outboxEventsCount = Atomic<Int>(0)

    /// Zeroes.
    public init() {}

    /// Relay visits finished (successful or not).
    public var visits: Int { visitsCount.load(ordering: .relaxed) }
    /// Visits that failed (no connection, refused address, timed out, protocol error).
    public var visitFailures: Int { visitFailuresCount.load(ordering: .relaxed) }
    /// Connections refused by the address policy (non-public addresses).
    public var refusedAddresses: Int { refusedAddressesCount.load(ordering: .relaxed) }
    /// Events stored (new or replacing an older version) from every path of the crawler.
    public var eventsStored: Int { eventsStoredCount.load(ordering: .relaxed) }
    /// Events received from remotes, valid or not.
    public var eventsReceived: Int { eventsReceivedCount.load(ordering: .relaxed) }
    /// Events received that were refused: bad id or signature, policy, not asked for.
    public var eventsRefused: Int { eventsRefusedCount.load(ordering: .relaxed) }
    /// Wire bytes received from remotes.
    public var bytesReceived: Int { bytesReceivedCount.load(ordering: .relaxed) }
    /// REQs sent (pages, fetches, live subscriptions, outbox).
    public var requests: Int { requestsCount.load(ordering: .relaxed) }
    /// Live subscriptions connected now.
    public var liveConnections: Int { liveConnectionsCount.load(ordering: .relaxed) }
    /// Outbox passes finished.
    public var outboxPasses: Int { outboxPassesCount.load(ordering: .relaxed) }
    /// Events the outbox passes stored.
    public var outboxEvents: Int { outboxEventsCount.load(ordering: .relaxed) }
}
