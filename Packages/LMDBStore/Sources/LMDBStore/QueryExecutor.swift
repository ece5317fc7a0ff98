import LMDB
import NostrCore

/// Runs query plans inside one read transaction: one cursor per index key walking backwards from
/// `until`, merged newest first, checked, and cut at the limit.
struct QueryExecutor {
    let reader: StoreReader
    let now: Int64
    /// Whether any stored event has an expiration tag (otherwise nothing needs that check).
    let checksExpiration: Bool

    var txn: Transaction { reader.txn }
    var tables: Tables { reader.tables }

    /// The newest `limit` matches of `filter` (plus any more at the oldest `created_at` kept, which
    /// compete by id), newest first.
    func collect(_ filter: Filter, plan: QueryPlan, limit: Int) throws -> [IndexEntry] {
        guard !plan.isEmpty, limit > 0 else { return [] }
        if case .ids(let ids) = plan.source { return try collectByID(ids, filter: filter, plan: plan) }
        if case .addresses(let keys) = plan.source {
            return try collectByAddress(keys, filter: filter, plan: plan, limit: limit)
        }
        var streams = try openStreams(plan)
        defer { streams.forEach { $0.cursor.close() } }
        var heap = EntryHeap(streams.indices.compactMap { index in streams[index].current.map { (index, $0) } })
        var results: [IndexEntry] = []
        var previous: IndexEntry?
        while let (index, entry) = heap.pop() {
            if results.count >= limit && entry.createdAt != results[results.count - 1].createdAt { break }
            // An event under two keys (two values of one tag condition) pops twice in a row.
            if entry != previous, try accepts(entry, filter: filter, plan: plan) { results.append(entry) }
            previous = entry
            if let next = try streams[index].advance(since: plan.since) { heap.push((index, next)) }
        }
        return results
    }

    private func collectByID(_ ids: [EventID], filter: Filter, plan: QueryPlan) throws -> [IndexEntry] {
        var results: [IndexEntry] = []
        for id in ids {
            guard let levID = try reader.levID(of: id), let meta = try reader.meta(levID) else { continue }
            let entry = IndexEntry(createdAt: meta.createdAt, levID: levID)
            guard entry.createdAt >= plan.since, entry.createdAt <= plan.until else { continue }
            if try accepts(entry, filter: filter, plan: plan) { results.append(entry) }
        }
        return results.sorted { $0 > $1 }
    }

    private func collectByAddress(
        _ keys: [[UInt8]], filter: Filter, plan: QueryPlan, limit: Int
    ) throws
        -> [IndexEntry]
    {
        var candidates: [IndexEntry] = []
        candidates.reserveCapacity(keys.count)
        for key in keys {
            guard let value = try txn.get(tables.addresses, key: key) else { continue }
            let entry = IndexEntry(createdAt: Schema.readUInt64(value, at: 8), levID: Schema.readUInt64(value))
            if entry.createdAt >= plan.since && entry.createdAt <= plan.until { candidates.append(entry) }
        }
        candidates.sort { $0 > $1 }
        var results: [IndexEntry] = []
        for entry in candidates {
            if results.count >= limit && entry.createdAt != results[results.count - 1].createdAt { break }
            if try accepts(entry, filter: filter, plan: plan) { results.append(entry) }
        }
        return results
    }

    /// Checks what the index did not: expiration, kinds, authors, and the full filter if needed.
    private func accepts(_ entry: IndexEntry, filter: Filter, plan: QueryPlan) throws -> Bool {
        if checksExpiration || plan.needsMeta {
            guard let meta = try reader.meta(entry.levID) else { return false }
            if meta.expiration != 0 && Int64(clamping: meta.expiration) <= now { return false }
            if let kinds = plan.kinds, !kinds.contains(meta.kind) { return false }
            if let authors = plan.authors, !authors.contains(meta.pubkey) { return false }
        }
        if plan.needsFullMatch {
            guard let json = try reader.payload(entry.levID) else { return false }
            return (try? Event(json: Array(json))).map(filter.matches) ?? false
        }
        return true
    }

    private func openStreams(_ plan: QueryPlan) throws -> [EntryStream] {
        let database: Database
        let keys: [[UInt8]]
        switch plan.source {
        case .keys(let table, let exact):
            database = self.database(table)
            keys = exact
        case .prefixes(let table, let prefixes):
            database = self.database(table)
            keys = try expand(prefixes, in: database)
        case .ids, .addresses:
            return []
        }
        var streams: [EntryStream] = []
        streams.reserveCapacity(keys.count)
        for key in keys {
            let cursor = try txn.openCursor(database)
            var stream = EntryStream(cursor: cursor, key: key)
            if try stream.position(until: plan.until, since: plan.since) {
                streams.append(stream)
            } else {
                cursor.close()
            }
        }
        return streams
    }

    /// Every key of `database` that is one of `prefixes` plus a 2-byte kind.
    func expand(_ prefixes: [[UInt8]], in database: Database) throws -> [[UInt8]] {
        var keys: [[UInt8]] = []
        try txn.withCursor(database) { cursor in
            for prefix in prefixes {
                var entry = try cursor.move(.setRange, key: prefix)
                while let (key, _) = entry, key.count == prefix.count + 2, key.starts(with: prefix) {
                    keys.append(Array(key))
                    entry = try cursor.move(.nextKey)
                }
            }
        }
        return keys
    }

    func database(_ table: QueryPlan.IndexTable) -> Database {
        switch table {
        case .byCreatedAt: tables.byCreatedAt
        case .byKind: tables.byKind
        case .byPubkeyKind: tables.byPubkeyKind
        case .byTag: tables.byTag
        }
    }

    /// Orders entries as NIP-01 asks (newest first, lowest id first among equal times) and cuts
    /// them to `limit`.
    func order(_ entries: [IndexEntry], limit: Int) throws -> [IndexEntry] {
        var sorted = entries.sorted { $0 > $1 }
        var start = 0
        while start < sorted.count {
            var end = start + 1
            while end < sorted.count && sorted[end].createdAt == sorted[start].createdAt { end += 1 }
            if end - start > 1 {
                let ids = try sorted[start..<end].map { try reader.meta($0.levID)?.id ?? EventID(.zero) }
                let run = zip(ids, sorted[start..<end]).sorted { $0.0 < $1.0 }.map(\.1)
                sorted.replaceSubrange(start..<end, with: run)
            }
            if end >= limit { break }
            start = end
        }
        return Array(sorted.prefix(limit))
    }
}

/// One cursor over the entries of one index key, walking from newest to oldest.
struct EntryStream {
    var cursor: Cursor
    let key: [UInt8]
    private(set) var current: IndexEntry?

    init(cursor: Cursor, key: [UInt8]) {
        self.cursor = cursor
        self.key = key
    }

    /// Moves to the newest entry at or before `until`; false when the key has none in range.
    mutating func position(until: UInt64, since: UInt64) throws -> Bool {
        var found: Cursor.Entry?
        if until < .max,
            let _ = try cursor.move(.getBothRange, key: key, value: IndexEntry(createdAt: until + 1, levID: 0).bytes)
        {
            found = try cursor.move(.previousDuplicate)
        } else if try cursor.move(.set, key: key) != nil {
            found = try cursor.move(.lastDuplicate)
        }
        guard let (_, value) = found else { return false }
        let entry = IndexEntry(value)
        guard entry.createdAt >= since, entry.createdAt <= until else { return false }
        current = entry
        return true
    }

    /// The next older entry, or `nil` past `since` or the key's end.
    mutating func advance(since: UInt64) throws -> IndexEntry? {
        guard let (_, value) = try cursor.move(.previousDuplicate) else { return nil }
        let entry = IndexEntry(value)
        guard entry.createdAt >= since else { return nil }
        current = entry
        return entry
    }
}

/// A max-heap of (stream index, entry) by entry: the newest candidate across all streams on top.
struct EntryHeap {
    private var items: [(Int, IndexEntry)]

    init(_ items: [(Int, IndexEntry)]) {
        self.items = []
        self.items.reserveCapacity(items.count)
        for item in items { push(item) }
    }

    mutating func push(_ item: (Int, IndexEntry)) {
        items.append(item)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard items[parent].1 < items[child].1 else { break }
            items.swapAt(parent, child)
            child = parent
        }
    }

    mutating func pop() -> (Int, IndexEntry)? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var largest = parent
            if left < items.count && items[largest].1 < items[left].1 { largest = left }
            if right < items.count && items[largest].1 < items[right].1 { largest = right }
            if largest == parent { break }
            items.swapAt(parent, largest)
            parent = largest
        }
        return top
    }
}
