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
    public func scan(
        kind: Kind, newestFirst: Bool = false, releaseEvery: Int = 100_000,
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
        }
        environment.releaseMappedPages()
    }

    /// Drops the store's pages from this process's resident memory (see
    /// `Environment.releaseMappedPages`); reads fault them back in from the page cache.
    public func releaseMappedPages() { environment.releaseMappedPages() }
}
