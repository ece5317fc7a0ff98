import Foundation
import Synchronization

/// Where the relay records what it sees (REQ filters, traffic, rejections, store size, replaced
/// events, the crawler's relay directory) on its way to the analytics tables in PostgreSQL.
///
/// Recording is on the relay's hot path, so it never blocks on I/O: each call is one short
/// mutex-protected update of in-memory aggregates, one entry per table key. `flush(to:)`, run
/// by a background thread (`TrackingFlusher`), takes them all and writes them in one transaction.
/// Memory is bounded by `TrackingLimits`; what does not fit is dropped and counted.
public final class TrackingSink: Sendable {
    /// The bounds this sink keeps to.
    public let limits: TrackingLimits
    let state: Mutex<TrackingState>

    /// An empty sink that holds at most what `limits` allows.
    public init(limits: TrackingLimits = TrackingLimits()) {
        self.limits = limits
        state = Mutex(TrackingState(limits: limits))
    }

    // MARK: Recording

    /// Records one REQ or COUNT filter from the client at `ip`: a request for the IP (in its UTC
    /// hour and day), one for each distinct author, each author and kind, each kind (in total and
    /// for the day), and, when the filter names 2 to `limits.cooccurrenceAuthors` distinct authors,
    /// one co-occurrence for each pair of them.
    public func recordRequest(ip: String, authors: [String], kinds: [Int], now: Date = Date()) {
        let time = TrackingTime(now)
        // Outside the lock: a filter naming an author twice asks for them once (and cannot
        // inflate their popularity by repeating them).
        let authors = Self.distinct(authors)
        let kinds = Self.distinct(kinds)
        // A filter naming more authors is a feed (a follow list): its pairs would say nothing the
        // follow graph does not, and would flood the table (each such REQ ~190 new rows even when
        // cut to its first 20 authors, which is what made flushes dominate the relay's cost).
        let pairAuthors = authors.count <= limits.cooccurrenceAuthors ? authors.count : 0
        state.withLock {
            $0.recordRequest(ip: ip, authors: authors, kinds: kinds, pairAuthors: pairAuthors, at: time)
        }
    }

    /// Records `events` events served to the client at `ip` (in its UTC hour and day).
    public func recordServed(ip: String, events: Int, now: Date = Date()) {
        guard events > 0 else { return }
        let time = TrackingTime(now)
        state.withLock { $0.recordServed(ip: ip, events: Int64(events), at: time) }
    }

    /// Records an EVENT refused because of its kind.
    public func recordRejectedEvent(kind: Int, pubkey: String, now: Date = Date()) {
        let time = TrackingTime(now)
        state.withLock { $0.recordRejectedEvent(kind: kind, pubkey: pubkey, at: time) }
    }

    /// Records a kind asked for in a REQ that the relay does not hold.
    public func recordRejectedRequestKind(kind: Int, now: Date = Date()) {
        let time = TrackingTime(now)
        state.withLock { $0.recordRejectedRequestKind(kind, at: time) }
    }

    /// Records the event store's size for the UTC day of `day`; a later snapshot of the same day
    /// replaces it, here and in the table. Never dropped: one a day does not need the key bound.
    public func recordStorageSnapshot(day: Date, storeBytes: Int64, eventCount: Int64, now: Date = Date()) {
        let snapshot = StorageSnapshot(
            storeBytes: storeBytes, eventCount: eventCount, recordedAt: TrackingTime(now).microseconds)
        let day = TrackingTime(day).day
        state.withLock { $0.recordStorageSnapshot(day: day, snapshot) }
    }

    /// Keeps a replaced version of an event for `event_history` (an id already there stays as it is).
    public func recordReplacedEvent(_ event: ArchivedEvent) {
        state.withLock { $0.archive(event) }
    }

    // MARK: Counters

    /// New keys turned away because `limits.maxKeys` were held, since the sink was created.
    public var droppedKeys: Int { state.withLock { $0.budget.dropped } }
    /// Replaced events turned away (past `limits.maxHistoryEvents`, or holding what PostgreSQL
    /// cannot store), since the sink was created.
    public var droppedHistory: Int { state.withLock { $0.droppedHistory } }
    /// Keys held now, waiting for the next flush (storage snapshots, one a day, aside).
    public var pendingKeys: Int { state.withLock { $0.budget.held } }
    /// Replaced events held now, waiting for the next flush.
    public var pendingHistoryEvents: Int { state.withLock { $0.pending.eventHistory.count } }
    /// Failed flushes (and failed connections of a `TrackingFlusher`), since the sink was created.
    public var flushFailures: Int { state.withLock { $0.flushFailures } }
    /// Why the last flush failed; nil once a flush succeeds.
    public var lastFlushError: String? { state.withLock { $0.lastFlushError } }

    /// Notes a failure to reach PostgreSQL that happened before a flush could start.
    func noteFailure(_ error: any Error) {
        state.withLock {
            $0.flushFailures += 1
            $0.lastFlushError = String(describing: error)
        }
    }

    /// Whether anything waits to be written.
    var hasPending: Bool { state.withLock { !$0.pending.isEmpty } }

    /// `values` without repeats, in the order of their first occurrence.
    static func distinct<Value: Hashable>(_ values: [Value]) -> [Value] {
        guard values.count > 1 else { return values }
        // Small filters (nearly all) rarely repeat: comparing pairs finds that without hashing
        // or allocating, and returns the caller's array itself.
        if values.count <= 16 {
            let repeats = values.indices.contains { index in values[..<index].contains(values[index]) }
            if !repeats { return values }
        }
        var seen = Set<Value>(minimumCapacity: values.count)
        return values.filter { seen.insert($0).inserted }
    }
}
