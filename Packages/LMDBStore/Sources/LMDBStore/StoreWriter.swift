import LMDB
import NostrCore

/// Applies one batch of jobs inside the writer's transaction: NIP-01 replacement, NIP-09
/// deletions and tombstones, NIP-40 expiration, and every index.
struct StoreWriter {
    let txn: Transaction
    let tables: Tables
    let now: Int64
    private let reader: StoreReader
    private var nextLevID: UInt64
    private var expirable: UInt64
    private var kindDeltas: [Kind: Int] = [:]
    /// Index entries added and removed by this batch, written at the end in key order.
    private var indexWrites = IndexWrites()
    /// Events a newer version replaced in this batch, for `onReplace` after the commit.
    private(set) var replaced: [Event] = []

    init(txn: Transaction, tables: Tables, now: Int64) throws {
        self.txn = txn
        self.tables = tables
        self.now = now
        reader = StoreReader(txn: txn, tables: tables)
        nextLevID = try reader.infoValue(.nextLevID) ?? 1
        expirable = try reader.infoValue(.expirable) ?? 0
    }

    /// Applies every job in arrival order, so a batch means exactly what saving its events one by
    /// one would (group commit changes when things reach the disk, never what they do).
    mutating func apply(_ jobs: [WriteJob]) throws -> [WriteResult] {
        var results: [WriteResult] = []
        results.reserveCapacity(jobs.count)
        for job in jobs {
            switch job {
            case .save(let events):
                var outcomes: [SaveOutcome] = []
                outcomes.reserveCapacity(events.count)
                var sequences: [UInt64?] = []
                sequences.reserveCapacity(events.count)
                for event in events {
                    let before = nextLevID
                    outcomes.append(try save(event))
                    sequences.append(nextLevID != before ? before : nil)
                }
                results.append(WriteResult(outcomes: outcomes, sequences: sequences))
            case .purgeExpired(let time):
                results.append(WriteResult(purged: try purgeExpired(now: time)))
            }
        }
        return results
    }

    /// Writes the batch's index entries and the counters it changed.
    func finish() throws {
        try indexWrites.apply(txn: txn, tables: tables)
        try txn.put(tables.info, key: Schema.InfoKey.nextLevID.bytes, value: Schema.bigEndian(nextLevID))
        try txn.put(tables.info, key: Schema.InfoKey.expirable.bytes, value: Schema.bigEndian(expirable))
        for (kind, delta) in kindDeltas where delta != 0 {
            let key = IndexKeys.kind(kind)
            let current = try txn.get(tables.kindCounts, key: key).map { Int(Schema.readUInt64($0)) } ?? 0
            let updated = max(0, current + delta)
            if updated == 0 {
                try txn.delete(tables.kindCounts, key: key)
            } else {
                try txn.put(tables.kindCounts, key: key, value: Schema.bigEndian(UInt64(updated)))
            }
        }
    }

    // MARK: Saving

    private mutating func save(_ event: Event) throws -> SaveOutcome {
        if event.kind.storageClass == .ephemeral { return .ephemeral }
        if let expiration = event.expiration, expiration <= now { return .expired }
        if try reader.levID(of: event.id) != nil { return .duplicate }
        // Deletions cannot be deleted (NIP-09), so tombstones never block a kind 5.
        if event.kind != .deletion, try hasTombstone(event) { return .deleted }
        var outcome = SaveOutcome.stored
        if let address = event.address {
            let key = AddressKey.make(address)
            if let deletedUpTo = try txn.get(tables.addressDeletions, key: key).map({ Schema.readUInt64($0) }),
                UInt64(event.createdAt) <= deletedUpTo
            {
                return .deleted
            }
            if let current = try txn.get(tables.addresses, key: key).map({ Schema.readUInt64($0) }),
                let meta = try reader.meta(current)
            {
                let currentWins =
                    meta.createdAt != UInt64(event.createdAt)
                    ? meta.createdAt > UInt64(event.createdAt) : meta.id < event.id
                if currentWins { return .rejectedOlder }
                if let old = try remove(current) { replaced.append(old) }
                outcome = .replaced
            }
        }
        if event.kind == .deletion { try applyDeletion(event) }
        try insert(event)
        return outcome
    }

    private func hasTombstone(_ event: Event) throws -> Bool {
        try txn.get(tables.deletions, key: event.id.raw.bytes + event.pubkey.raw.bytes) != nil
    }

    /// NIP-09: `e` tags delete the author's own events and leave tombstones; `a` tags delete the
    /// author's versions of an address up to the deletion's time and keep that time. A deletion
    /// never deletes a deletion.
    private mutating func applyDeletion(_ deletion: Event) throws {
        for tag in deletion.tags where tag.count > 1 {
            guard let name = tag.name else { continue }
            if name == "e", let id = EventID(hex: tag[1]) {
                if let levID = try reader.levID(of: id), let meta = try reader.meta(levID) {
                    guard meta.kind != .deletion else { continue }
                    if meta.pubkey == deletion.pubkey { _ = try remove(levID) }
                }
                try txn.put(tables.deletions, key: id.raw.bytes + deletion.pubkey.raw.bytes, value: [])
            } else if name == "a", let address = EventAddress(tag[1]), address.pubkey == deletion.pubkey,
                address.kind != .deletion
            {
                let key = AddressKey.make(address)
                let time = UInt64(deletion.createdAt)
                let previous = try txn.get(tables.addressDeletions, key: key).map { Schema.readUInt64($0) } ?? 0
                if time > previous { try txn.put(tables.addressDeletions, key: key, value: Schema.bigEndian(time)) }
                if let current = try txn.get(tables.addresses, key: key).map({ Schema.readUInt64($0) }),
                    let meta = try reader.meta(current), meta.createdAt <= time
                {
                    _ = try remove(current)
                }
            }
        }
    }

    // MARK: Records and indexes

    private mutating func insert(_ event: Event) throws {
        let levID = nextLevID
        nextLevID += 1
        let key = Schema.bigEndian(levID)
        try txn.put(tables.payloads, key: key, value: event.storageJSON(), flags: .append)
        let meta = EventMeta(event)
        try txn.put(tables.metas, key: key, value: meta.bytes, flags: .append)
        try txn.put(tables.ids, key: event.id.raw.bytes, value: key)
        indexWrites.add(event, entry: IndexEntry(createdAt: meta.createdAt, levID: levID))
        if let address = event.address {
            try txn.put(tables.addresses, key: AddressKey.make(address), value: key + Schema.bigEndian(meta.createdAt))
        }
        if meta.expiration != 0 {
            try txn.put(tables.expirations, key: Schema.bigEndian(meta.expiration) + key, value: [])
            expirable += 1
        }
        kindDeltas[event.kind, default: 0] += 1
    }

    /// Removes a stored event and every index entry; returns it (parsed) for the history archive.
    private mutating func remove(_ levID: UInt64) throws -> Event? {
        guard let meta = try reader.meta(levID), let event = try reader.event(levID) else { return nil }
        indexWrites.remove(event, entry: IndexEntry(createdAt: meta.createdAt, levID: levID))
        let key = Schema.bigEndian(levID)
        if let address = event.address {
            let addressKey = AddressKey.make(address)
            if try txn.get(tables.addresses, key: addressKey).map({ Schema.readUInt64($0) }) == levID {
                try txn.delete(tables.addresses, key: addressKey)
            }
        }
        if meta.expiration != 0 {
            try txn.delete(tables.expirations, key: Schema.bigEndian(meta.expiration) + key)
            expirable = expirable > 0 ? expirable - 1 : 0
        }
        try txn.delete(tables.payloads, key: key)
        try txn.delete(tables.metas, key: key)
        try txn.delete(tables.ids, key: meta.id.raw.bytes)
        kindDeltas[meta.kind, default: 0] -= 1
        return event
    }

    private mutating func purgeExpired(now time: Int64) throws -> Int {
        guard expirable > 0 else { return 0 }
        var expired: [UInt64] = []
        try txn.withCursor(tables.expirations) { cursor in
            var entry = try cursor.move(.first)
            while let (key, _) = entry, Int64(clamping: Schema.readUInt64(key)) <= time {
                expired.append(Schema.readUInt64(key, at: 8))
                entry = try cursor.move(.next)
            }
        }
        for levID in expired { _ = try remove(levID) }
        return expired.count
    }
}
