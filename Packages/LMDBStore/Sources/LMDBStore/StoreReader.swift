import LMDB
import NostrCore

/// Reads records inside one transaction: metas, payloads, whole events.
struct StoreReader {
    let txn: Transaction
    let tables: Tables

    func levID(of id: EventID) throws -> UInt64? {
        try id.raw.withUnsafeBytes { key in try txn.get(tables.ids, key: key) }.map { Schema.readUInt64($0) }
    }

    func meta(_ levID: UInt64) throws -> EventMeta? {
        try withUnsafeBytes(of: levID.bigEndian) { key in try txn.get(tables.metas, key: key) }.map(EventMeta.init)
    }

    /// Calls `body` with the event's JSON: straight from the map when it is one chunk, else joined
    /// into `scratch`. Returns `nil` if the event is not stored.
    func withPayload<R>(
        _ levID: UInt64, scratch: inout [UInt8], _ body: (UnsafeRawBufferPointer) throws -> R
    ) throws
        -> R?
    {
        var cursor = try txn.openCursor(tables.payloads)
        defer { cursor.close() }
        let first = Schema.payloadKey(levID, chunk: 0)
        guard let (_, firstChunk) = try cursor.move(.set, key: first) else { return nil }
        guard let (nextKey, nextChunk) = try cursor.move(.next), Schema.readUInt64(nextKey) == levID else {
            return try body(firstChunk)
        }
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: firstChunk)
        scratch.append(contentsOf: nextChunk)
        while let (key, chunk) = try cursor.move(.next), Schema.readUInt64(key) == levID {
            scratch.append(contentsOf: chunk)
        }
        return try scratch.withUnsafeBytes { try body($0) }
    }

    /// The stored event, parsed.
    func event(_ levID: UInt64) throws -> Event? {
        var scratch: [UInt8] = []
        return try withPayload(levID, scratch: &scratch) { json in
            do {
                return try Event(json: Array(json))
            } catch {
                throw StoreError.corrupt("event \(levID) does not parse: \(error)")
            }
        }
    }

    func infoValue(_ name: String) throws -> UInt64? {
        try txn.get(tables.info, key: Array(name.utf8)).map { Schema.readUInt64($0) }
    }
}
