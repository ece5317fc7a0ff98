/// Everything a `TrackingSink` holds between two flushes: one dictionary per table, keyed by the
/// table's primary key, so that a million records of the same pubkey cost one row.
struct TrackingAggregates {
    var pubkeyPopularity: [String: CountAndLatest] = [:]
    var pubkeyKindPopularity: [PubkeyKind: Int64] = [:]
    var authorCooccurrence: [AuthorPair: CountAndLatest] = [:]
    var kindTotals: [Int: CountAndLatest] = [:]
    var kindDaily: [DayKind: Int64] = [:]
    var ipTrafficHourly: [BucketIP: Traffic] = [:]
    var ipTrafficDaily: [BucketIP: Traffic] = [:]
    var rejectedEvents: [KindPubkey: CountAndLatest] = [:]
    var rejectedRequestKinds: [Int: CountAndLatest] = [:]
    /// Keyed by day number since 1970 (UTC). Outside the key bound: one row a day, recorded once a
    /// day, which a flood of traffic keys must not crowd out.
    var storageSnapshots: [Int64: StorageSnapshot] = [:]
    /// Not aggregated (every version is a row), so bounded separately from the keys.
    var eventHistory: [ArchivedEvent] = []
    /// The relay directory's latest change per URL. Not aggregated (the crawler sends whole rows),
    /// so bounded separately from the keys, by `TrackingLimits.maxRelayDirectoryRows`.
    var relayDirectory: [String: RelayDirectoryChange] = [:]

    /// Keys held over the tables that `TrackingLimits.maxKeys` bounds.
    var keyCount: Int {
        pubkeyPopularity.count + pubkeyKindPopularity.count + authorCooccurrence.count + kindTotals.count
            + kindDaily.count + ipTrafficHourly.count + ipTrafficDaily.count + rejectedEvents.count
            + rejectedRequestKinds.count
    }

    /// Nothing to write.
    var isEmpty: Bool {
        keyCount == 0 && storageSnapshots.isEmpty && eventHistory.isEmpty && relayDirectory.isEmpty
    }
}

/// A `TrackingSink`'s mutable state, only ever touched under its mutex.
struct TrackingState {
    var pending = TrackingAggregates()
    var budget: KeyBudget
    let maxHistoryEvents: Int
    let maxRelayDirectoryRows: Int
    var droppedHistory = 0
    var flushFailures = 0
    var lastFlushError: String?

    init(limits: TrackingLimits) {
        budget = KeyBudget(limit: limits.maxKeys)
        maxHistoryEvents = limits.maxHistoryEvents
        maxRelayDirectoryRows = limits.maxRelayDirectoryRows
    }

    /// Hands over everything held and starts afresh, so recorders never wait for a flush's I/O.
    mutating func takePending() -> TrackingAggregates {
        budget.held = 0
        var taken = TrackingAggregates()
        swap(&taken, &pending)
        return taken
    }

    /// Puts back what a failed flush took, merged with what arrived meanwhile; `failed` is left empty.
    ///
    /// The failed batch comes first: it was admitted within the bound, so none of it is lost; keys
    /// that arrived during the flush go in while the bound allows, and the rest are counted as
    /// dropped. Swapping rather than copying keeps a large batch from being duplicated.
    mutating func restore(_ failed: inout TrackingAggregates) {
        swap(&pending, &failed)
        // From here `failed` holds what arrived during the flush.
        budget.held = pending.keyCount
        budget.merge(&pending.pubkeyPopularity, failed.pubkeyPopularity)
        budget.merge(&pending.pubkeyKindPopularity, failed.pubkeyKindPopularity)
        budget.merge(&pending.authorCooccurrence, failed.authorCooccurrence)
        budget.merge(&pending.kindTotals, failed.kindTotals)
        budget.merge(&pending.kindDaily, failed.kindDaily)
        budget.merge(&pending.ipTrafficHourly, failed.ipTrafficHourly)
        budget.merge(&pending.ipTrafficDaily, failed.ipTrafficDaily)
        budget.merge(&pending.rejectedEvents, failed.rejectedEvents)
        budget.merge(&pending.rejectedRequestKinds, failed.rejectedRequestKinds)
        // A snapshot taken during the flush is the newer one of its day.
        pending.storageSnapshots.merge(failed.storageSnapshots) { _, arrived in arrived }
        for event in failed.eventHistory { archive(event) }
        // A relay directory change recorded during the flush is newer than the batch's.
        for (url, change) in failed.relayDirectory { noteRelayDirectory(url, change) }
        failed = TrackingAggregates()
    }

    /// Keeps `event` for `event_history` while the bound allows.
    mutating func archive(_ event: ArchivedEvent) {
        if pending.eventHistory.count < maxHistoryEvents {
            pending.eventHistory.append(event)
        } else {
            droppedHistory += 1
        }
    }

    /// Keeps `change` as `url`'s latest: it replaces a change already held, and a new URL goes in
    /// while `maxRelayDirectoryRows` allows, else it is dropped and counted with the dropped keys.
    mutating func noteRelayDirectory(_ url: String, _ change: RelayDirectoryChange) {
        if let index = pending.relayDirectory.index(forKey: url) {
            pending.relayDirectory.values[index] = change
        } else if pending.relayDirectory.count < maxRelayDirectoryRows {
            pending.relayDirectory[url] = change
        } else {
            budget.dropped += 1
        }
    }

    /// One filter: `authors` and `kinds` already distinct; the first `pairAuthors` authors form pairs.
    mutating func recordRequest(ip: String, authors: [String], kinds: [Int], pairAuthors: Int, at time: TrackingTime) {
        let once = CountAndLatest(count: 1, latest: time.microseconds)
        budget.tally(
            &pending.ipTrafficHourly, BucketIP(bucket: time.hourStart, ip: ip), Traffic(requests: 1, eventsServed: 0))
        budget.tally(&pending.ipTrafficDaily, BucketIP(bucket: time.day, ip: ip), Traffic(requests: 1, eventsServed: 0))
        for author in authors {
            budget.tally(&pending.pubkeyPopularity, author, once)
            for kind in kinds { budget.tally(&pending.pubkeyKindPopularity, PubkeyKind(pubkey: author, kind: kind), 1) }
        }
        for kind in kinds {
            budget.tally(&pending.kindTotals, kind, once)
            budget.tally(&pending.kindDaily, DayKind(day: time.day, kind: kind), 1)
        }
        for first in 0..<pairAuthors {
            for second in (first + 1)..<pairAuthors {
                let (a, b) = (authors[first], authors[second])
                budget.tally(&pending.authorCooccurrence, a < b ? AuthorPair(a: a, b: b) : AuthorPair(a: b, b: a), once)
            }
        }
    }

    mutating func recordServed(ip: String, events: Int64, at time: TrackingTime) {
        let served = Traffic(requests: 0, eventsServed: events)
        budget.tally(&pending.ipTrafficHourly, BucketIP(bucket: time.hourStart, ip: ip), served)
        budget.tally(&pending.ipTrafficDaily, BucketIP(bucket: time.day, ip: ip), served)
    }

    mutating func recordRejectedEvent(kind: Int, pubkey: String, at time: TrackingTime) {
        let once = CountAndLatest(count: 1, latest: time.microseconds)
        budget.tally(&pending.rejectedEvents, KindPubkey(kind: kind, pubkey: pubkey), once)
    }

    mutating func recordRejectedRequestKind(_ kind: Int, at time: TrackingTime) {
        budget.tally(&pending.rejectedRequestKinds, kind, CountAndLatest(count: 1, latest: time.microseconds))
    }

    mutating func recordStorageSnapshot(day: Int64, _ snapshot: StorageSnapshot) {
        pending.storageSnapshots[day] = snapshot
    }
}
