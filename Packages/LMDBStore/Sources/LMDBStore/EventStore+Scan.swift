import LMDB
import NostrCore

extension EventStore {
    /// Every stored event of `kind`, oldest first (newest first if `newestFirst`), in one read
    /// transaction (one consistent snapshot; writers never wait for it). Return `false` from `body`
    /// to stop.
    ///
    /// For whole-store passes such as the analytics worker's: no limit applies, and every
    /// `releaseEvery` events the pages read so far are dropped from this process's resident memory
    /// (`Environment.releaseMappedPages`), so a pass over gigabytes of events keeps a small RSS.
    /// Often, because each page fault also maps the cached pages around it (fault-around): read in
    /// index order, events are scattered over the file and each one can map 64 KiB.
    public func scan(
        kind: Kind, newestFirst: Bool = false, releaseEvery: Int = 16_384,
        _ body: (StoredEvent) throws -> Bool
    ) throws {
        try scan(kind: kind, newestFirst: newestFirst, releaseEvery: releaseEvery, onFinish: {}, body)
    }

    /// `scan`, calling `onFinish` inside the read transaction once the events are done.
    private func scan(
        kind: Kind, newestFirst: Bool, releaseEvery: Int = 16_384, onFinish: () throws -> Void,
        _ body: (StoredEvent) throws -> Bool
    ) throws {
        try environment.read { txn in
            let reader = StoreReader(txn: txn, tables: tables)
            var seen = 0
            try txn.withCursor(tables.byKind) { cursor in
                var entry = try cursor.move(.set, key: IndexKeys.kind(kind))
                if newestFirst, entry != nil { entry = try cursor.move(.lastDuplicate) }
                while let (_, value) = entry {
                    let levID = Schema.readUInt64(value, at: 8)
                    if let json = try reader.payload(levID) {
                        let createdAt = Int64(clamping: Schema.readUInt64(value, at: 0))
                        guard try body(StoredEvent(json: json, createdAt: createdAt)) else { return }
                    }
                    seen += 1
                    if releaseEvery > 0, seen % releaseEvery == 0 { environment.releaseMappedPages() }
                    entry = try cursor.move(newestFirst ? .previousDuplicate : .nextDuplicate)
                }
            }
            try onFinish()
        }
        environment.releaseMappedPages()
    }

    /// Drops the store's pages from this process's resident memory (see
    /// `Environment.releaseMappedPages`); reads fault them back in from the page cache.
    public func releaseMappedPages() { environment.releaseMappedPages() }
}

extension EventStore {
    /// `scan(kind:newestFirst:releaseEvery:_:)` in batches of up to `batchSize` events, the last one
    /// possibly shorter, all inside the one read transaction: for callers that process events in
    /// parallel. The pointers are valid only during `body`. Return `false` to stop.
    public func scanBatches(
        kind: Kind, newestFirst: Bool = false, batchSize: Int, _ body: ([StoredEvent]) throws -> Bool
    ) throws {
        precondition(batchSize > 0, "batchSize must be positive")
        var batch: [StoredEvent] = []
        batch.reserveCapacity(batchSize)
        var stopped = false
        try scan(
            kind: kind, newestFirst: newestFirst,
            onFinish: {
                if !stopped, !batch.isEmpty { _ = try body(batch) }
            }
        ) { stored in
            batch.append(stored)
            guard batch.count == batchSize else { return true }
            let more = try body(batch)
            batch.removeAll(keepingCapacity: true)
            stopped = !more
            return more
        }
    }
}
