import LMDBStore
import NostrCore
import RelaySync
import Synchronization

/// A `SyncStore` that counts what one piece of work stored, readable while it runs (a visit cut
/// short by its time budget still reports what it brought).
final class CountingStore: SyncStore {
    private let destination: any SyncStore
    /// The crawler's totals, which see each batch as it is stored (not when the work ends).
    private let statistics: CrawlerStatistics
    private let storedEvents = Atomic<Int>(0)
    private let newestStored = Atomic<Int64>(0)

    init(_ destination: any SyncStore, statistics: CrawlerStatistics) {
        self.destination = destination
        self.statistics = statistics
    }

    /// Events stored or replacing an older version so far.
    var stored: Int { storedEvents.load(ordering: .relaxed) }
    /// The newest created_at stored so far (0: none).
    var newest: Int64 { newestStored.load(ordering: .relaxed) }

    func negentropyItems(_ filter: Filter, limit: Int?) throws -> [NegentropyItem] {
        try destination.negentropyItems(filter, limit: limit)
    }

    func queryEvents(_ filters: [Filter], limit: Int?) throws -> [Event] {
        try destination.queryEvents(filters, limit: limit)
    }

    func storedIDs(among ids: [EventID]) throws -> Set<EventID> { try destination.storedIDs(among: ids) }

    func save(_ events: [Event]) async throws -> [SaveOutcome] {
        let outcomes = try await destination.save(events)
        var stored = 0
        var newest: Int64 = 0
        for (event, outcome) in zip(events, outcomes) where outcome == .stored || outcome == .replaced {
            stored += 1
            newest = max(newest, event.createdAt)
        }
        storedEvents.add(stored, ordering: .relaxed)
        statistics.eventsStoredCount.add(stored, ordering: .relaxed)
        if newest > 0 { newestStored.max(newest, ordering: .relaxed) }
        return outcomes
    }
}
