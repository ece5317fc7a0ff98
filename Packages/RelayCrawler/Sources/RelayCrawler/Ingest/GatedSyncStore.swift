import LMDBStore
import NostrCore
import RelaySync
import Synchronization

/// The crawler's way into the store: saves in batches of at most `batchSize`, at most
/// `queuedBatches` batches of the whole crawler in the store's queue at a time, so a client's
/// EVENT never waits behind more than those (the crawler yields to clients). Two keep the writer
/// busy: one commits while the next waits, and group commit takes both when it can. A busy store (`StoreError.overloaded`) is
/// waited out, not reported as a failure. Reads go straight to the destination.
final class GatedSyncStore: SyncStore {
    private let destination: any SyncStore
    private let batchSize: Int
    private let gate: AsyncSlots
    private let storedEvents = Atomic<Int>(0)

    init(destination: any SyncStore, batchSize: Int, queuedBatches: Int) {
        self.destination = destination
        self.batchSize = max(1, batchSize)
        gate = AsyncSlots(capacity: max(1, queuedBatches))
    }

    /// Events stored or replacing an older version, since the crawler started.
    var stored: Int { storedEvents.load(ordering: .relaxed) }

    func negentropyItems(_ filter: Filter, limit: Int?) throws -> [NegentropyItem] {
        try destination.negentropyItems(filter, limit: limit)
    }

    func queryEvents(_ filters: [Filter], limit: Int?) throws -> [Event] {
        try destination.queryEvents(filters, limit: limit)
    }

    func storedIDs(among ids: [EventID]) throws -> Set<EventID> { try destination.storedIDs(among: ids) }

    func save(_ events: [Event]) async throws -> [SaveOutcome] {
        var outcomes: [SaveOutcome] = []
        outcomes.reserveCapacity(events.count)
        for start in stride(from: 0, to: events.count, by: batchSize) {
            let batch = Array(events[start..<min(start + batchSize, events.count)])
            guard await gate.acquire() else { throw CancellationError() }
            defer { gate.release() }
            let saved = try await saveWaitingOutOverload(batch)
            storedEvents.add(saved.count { $0 == .stored || $0 == .replaced }, ordering: .relaxed)
            outcomes += saved
        }
        return outcomes
    }

    private func saveWaitingOutOverload(_ batch: [Event]) async throws -> [SaveOutcome] {
        var delay = Duration.milliseconds(50)
        while true {
            do {
                return try await destination.save(batch)
            } catch StoreError.overloaded(_) {
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(2))
            }
        }
    }
}
