import LMDB
import NostrCore

/// An exact count, or a lower bound when the scan limit was reached.
public struct EventCount: Sendable, Hashable {
    /// Matching events counted.
    public var count: Int
    /// True when counting stopped at `maxScanEvents`.
    public var approximate: Bool

    /// A count.
    public init(count: Int, approximate: Bool) {
        self.count = count
        self.approximate = approximate
    }
}

extension EventStore {
    /// Streams the events matching any of `filters`, newest first (lowest id first among equal
    /// `created_at`), each at most once. Each filter returns at most its own `limit`, or the
    /// configured default limit, never more than the maximum limit; `limit` caps the total.
    /// Runs in one read transaction on the calling thread and never waits for the writer. Returns
    /// the snapshot: events with a sequence number below it were visible to this query.
    @discardableResult
    public func query(_ filters: [Filter], limit: Int? = nil, _ body: (StoredEvent) throws -> Void) throws -> UInt64 {
        try environment.read { txn in
            let executor = try makeExecutor(txn)
            let snapshot = try executor.reader.infoValue(.nextLevID) ?? 1
            var selected: [IndexEntry] = []
            var seen = Set<UInt64>()
            for filter in filters {
                let filterLimit = effectiveLimit(filter)
                let entries = try executor.collect(filter, plan: QueryPlan(filter), limit: filterLimit)
                for entry in try executor.order(entries, limit: filterLimit) where seen.insert(entry.levID).inserted {
                    selected.append(entry)
                }
            }
            let total = min(selected.count, limit ?? .max)
            let ordered = try executor.order(selected, limit: total)
            // Look payloads up in key order (neighbouring lookups share pages), emit in result order.
            var payloads = [UnsafeRawBufferPointer?](repeating: nil, count: ordered.count)
            for index in ordered.indices.sorted(by: { ordered[$0].levID < ordered[$1].levID }) {
                payloads[index] = try executor.reader.payload(ordered[index].levID)
            }
            for (entry, json) in zip(ordered, payloads) {
                guard let json else { continue }
                try body(StoredEvent(json: json, createdAt: Int64(clamping: entry.createdAt)))
            }
            return snapshot
        }
    }

    /// The JSON of every event `query` would stream, as arrays.
    public func queryJSON(_ filters: [Filter], limit: Int? = nil) throws -> [[UInt8]] {
        var results: [[UInt8]] = []
        try query(filters, limit: limit) { results.append(Array($0.json)) }
        return results
    }

    /// The events `query` would stream, parsed.
    public func queryEvents(_ filters: [Filter], limit: Int? = nil) throws -> [Event] {
        try queryJSON(filters, limit: limit).map { try Event(json: $0) }
    }

    /// How many events match any of `filters` (NIP-45), ignoring limits. Shapes answered by index
    /// key sizes alone (kinds; authors x kinds; one tag value x kinds, like followers
    /// `{"kinds":[3],"#p":[x]}`) cost no scan.
    public func count(_ filters: [Filter]) throws -> EventCount {
        try environment.read { txn in
            let executor = try makeExecutor(txn)
            if filters.count == 1, let fast = try fastCount(filters[0], executor: executor) {
                return EventCount(count: fast, approximate: false)
            }
            var seen = Set<UInt64>()
            let cap = configuration.maxScanEvents
            for filter in filters {
                for entry in try executor.collect(filter, plan: QueryPlan(filter), limit: cap + 1) {
                    seen.insert(entry.levID)
                    if seen.count > cap { return EventCount(count: cap, approximate: true) }
                }
            }
            return EventCount(count: seen.count, approximate: false)
        }
    }

    private func fastCount(_ filter: Filter, executor: QueryExecutor) throws -> Int? {
        let plan = QueryPlan(filter)
        if plan.isEmpty { return 0 }
        guard !executor.checksExpiration, !plan.needsMeta, !plan.needsFullMatch, plan.since == 0, plan.until == .max,
            case .keys(let table, let keys) = plan.source
        else { return nil }
        // Keys differ only by kind (or are distinct kinds / author-kind pairs): no event is under two.
        if table == .byTag && Set(keys.map { $0.dropLast(2) }).count > 1 { return nil }
        let database = executor.database(table)
        var total = 0
        try executor.txn.withCursor(database) { cursor in
            for key in keys where try cursor.move(.set, key: key) != nil {
                total += try cursor.duplicateCount()
            }
        }
        return total
    }

    /// The (created_at, id) of every event matching `filter` (its `limit` ignored), in the
    /// negentropy order (NIP-77), read from one snapshot. Throws `StoreError.tooManyResults` when
    /// more than `limit` (at most `maxScanEvents`) events match, before building the whole list.
    public func negentropyItems(_ filter: Filter, limit: Int? = nil) throws -> [NegentropyItem] {
        try environment.read { txn in
            let executor = try makeExecutor(txn)
            var unlimited = filter
            unlimited.limit = nil
            let cap = min(limit ?? configuration.maxScanEvents, configuration.maxScanEvents)
            let entries = try executor.collect(unlimited, plan: QueryPlan(unlimited), limit: cap + 1)
            if entries.count > cap { throw StoreError.tooManyResults(limit: cap) }
            var items: [NegentropyItem] = []
            items.reserveCapacity(entries.count)
            for entry in entries {
                guard let id = try executor.reader.meta(entry.levID)?.id else { continue }
                items.append(NegentropyItem(createdAt: entry.createdAt, id: id))
            }
            items.sort()
            return items
        }
    }

    /// Every stored event in insertion order (for export); return `false` from `body` to stop.
    public func scanAll(_ body: (StoredEvent) throws -> Bool) throws {
        try environment.read { txn in
            let reader = StoreReader(txn: txn, tables: tables)
            try txn.withCursor(tables.metas) { cursor in
                var entry = try cursor.move(.first)
                while let (key, value) = entry {
                    let meta = EventMeta(value)
                    if let json = try reader.payload(Schema.readUInt64(key)),
                        try !body(StoredEvent(json: json, createdAt: Int64(clamping: meta.createdAt)))
                    {
                        return
                    }
                    entry = try cursor.move(.next)
                }
            }
        }
    }

    /// A filter's limit after the configured default and maximum.
    func effectiveLimit(_ filter: Filter) -> Int {
        min(filter.limit ?? configuration.defaultLimit, configuration.maxLimit)
    }

    private func makeExecutor(_ txn: Transaction) throws -> QueryExecutor {
        let reader = StoreReader(txn: txn, tables: tables)
        let expirable = try reader.infoValue(.expirable) ?? 0
        return QueryExecutor(reader: reader, now: configuration.clock(), checksExpiration: expirable > 0)
    }
}
