import LMDB
import NostrCore

extension EventStore {
    /// Stored events of `kinds` in the order they arrived, after store sequence number `sequence`
    /// (0: from the first), at most `limit` of them, in one read transaction; returns the sequence
    /// number to continue after (the last one looked at, or `sequence` if nothing came since).
    ///
    /// For followers of the store that must see every event of a kind whatever path brought it (a
    /// client's EVENT, an import in another process, a sync): the crawler's relay discovery reads
    /// kind 10002 this way. Only the 82-byte records are read for other kinds, never their JSON.
    /// Events deleted or replaced since they arrived are not seen.
    public func scanArrivals(
        after sequence: UInt64, kinds: Set<Kind>, limit: Int,
        _ body: (_ sequence: UInt64, _ event: StoredEvent) throws -> Void
    ) throws -> UInt64 {
        try environment.read { txn in
            let reader = StoreReader(txn: txn, tables: tables)
            var last = sequence
            var seen = 0
            try txn.withCursor(tables.metas) { cursor in
                var entry =
                    try withUnsafeBytes(of: (sequence &+ 1).bigEndian) { key in
                        try cursor.move(.setRange, key: key)
                    }
                while let (key, value) = entry, seen < limit {
                    let levID = Schema.readUInt64(key)
                    last = levID
                    let meta = EventMeta(value)
                    if kinds.contains(meta.kind), let json = try reader.payload(levID) {
                        seen += 1
                        try body(levID, StoredEvent(json: json, createdAt: Int64(clamping: meta.createdAt)))
                    }
                    entry = try cursor.move(.next)
                }
            }
            return last
        }
    }
}

extension EventStore {
    /// Which of `ids` the store holds now (one read transaction, an index lookup each): for
    /// downloads that must not fetch again what another sync stored meanwhile.
    public func storedIDs(among ids: [EventID]) throws -> Set<EventID> {
        try environment.read { txn in
            let reader = StoreReader(txn: txn, tables: tables)
            var stored = Set<EventID>()
            for id in ids where try reader.levID(of: id) != nil { stored.insert(id) }
            return stored
        }
    }
}
