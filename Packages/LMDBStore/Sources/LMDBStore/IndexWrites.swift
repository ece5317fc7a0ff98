import LMDB
import NostrCore

/// The index entries one write batch adds and removes, applied at the end of the batch in key
/// order.
///
/// Inserting tens of thousands of entries at random keys touches pages all over the indexes;
/// sorting first turns that into one ordered pass (each page loaded and copied once), which is
/// where strfry's single writer spends its time. An event added and removed in the same batch
/// (replaced by a newer version in the same commit) cancels out. Only the four duplicate-sorted
/// indexes are deferred: nothing the writer reads during a batch looks at them.
///
/// Keys live back to back in one buffer and pending writes are plain values, so sorting moves no
/// reference-counted arrays.
struct IndexWrites {
    private struct Write {
        /// Table number in the top byte, then the key's first seven bytes: most comparisons end here.
        var prefix: UInt64
        var keyStart: UInt32
        var keyLength: UInt32
        var entry: IndexEntry
        var isPut: Bool
    }

    private var keys: [UInt8] = []
    private var writes: [Write] = []
    private var cancelled = Set<UInt64>()
    private var addedLevIDs = Set<UInt64>()

    private static let byCreatedAt: UInt8 = 0, byKind: UInt8 = 1, byPubkeyKind: UInt8 = 2, byTag: UInt8 = 3

    mutating func add(_ event: Event, entry: IndexEntry) {
        addedLevIDs.insert(entry.levID)
        record(event, entry: entry, isPut: true)
    }

    mutating func remove(_ event: Event, entry: IndexEntry) {
        if addedLevIDs.contains(entry.levID) {
            cancelled.insert(entry.levID)
        } else {
            record(event, entry: entry, isPut: false)
        }
    }

    private mutating func record(_ event: Event, entry: IndexEntry, isPut: Bool) {
        append(IndexWrites.byCreatedAt, IndexKeys.createdAtKey, entry, isPut)
        append(IndexWrites.byKind, IndexKeys.kind(event.kind), entry, isPut)
        append(IndexWrites.byPubkeyKind, IndexKeys.pubkeyKind(event.pubkey, event.kind), entry, isPut)
        let kind = Schema.bigEndian(event.kind.rawValue)
        for prefix in IndexKeys.tagPrefixes(event.tags) { append(IndexWrites.byTag, prefix + kind, entry, isPut) }
    }

    private mutating func append(_ table: UInt8, _ key: [UInt8], _ entry: IndexEntry, _ isPut: Bool) {
        var prefix = UInt64(table) << 56
        for (index, byte) in key.prefix(7).enumerated() { prefix |= UInt64(byte) << (48 - 8 * UInt64(index)) }
        writes.append(
            Write(
                prefix: prefix, keyStart: UInt32(keys.count), keyLength: UInt32(key.count), entry: entry, isPut: isPut))
        keys.append(contentsOf: key)
    }

    /// Deletes, then puts, each in (table, key, entry) order, skipping repeats and cancelled events.
    func apply(txn: Transaction, tables: Tables) throws {
        let databases = [tables.byCreatedAt, tables.byKind, tables.byPubkeyKind, tables.byTag]
        try keys.withUnsafeBytes { keyBytes in
            func key(_ write: Write) -> UnsafeRawBufferPointer {
                UnsafeRawBufferPointer(rebasing: keyBytes[Int(write.keyStart)..<Int(write.keyStart + write.keyLength)])
            }
            func precedes(_ lhs: Write, _ rhs: Write) -> Bool {
                if lhs.isPut != rhs.isPut { return !lhs.isPut }  // deletes first
                if lhs.prefix != rhs.prefix { return lhs.prefix < rhs.prefix }
                let left = key(lhs)
                let right = key(rhs)
                let common = min(left.count, right.count)
                let order = memcmp(left.baseAddress!, right.baseAddress!, common)
                if order != 0 { return order < 0 }
                if left.count != right.count { return left.count < right.count }
                return lhs.entry < rhs.entry
            }
            let sorted = writes.filter { !($0.isPut && cancelled.contains($0.entry.levID)) }.sorted(by: precedes)
            var previous: Write?
            for write in sorted {
                if let previous, !precedes(previous, write) { continue }  // an exact repeat
                previous = write
                let database = databases[Int(write.prefix >> 56)]
                var value = (write.entry.createdAt.bigEndian, write.entry.levID.bigEndian)
                try withUnsafeBytes(of: &value) { valueBytes in
                    if write.isPut {
                        _ = try txn.put(database, key: key(write), value: valueBytes)
                    } else {
                        _ = try txn.delete(database, key: key(write), value: valueBytes)
                    }
                }
            }
        }
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
