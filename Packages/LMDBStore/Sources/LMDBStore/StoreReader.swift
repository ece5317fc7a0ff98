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

    /// The event's JSON, pointing into the map (valid until the transaction ends); `nil` if the
    /// event is not stored.
    func payload(_ levID: UInt64) throws -> UnsafeRawBufferPointer? {
        try withUnsafeBytes(of: levID.bigEndian) { key in try txn.get(tables.payloads, key: key) }
    }

    /// The stored event, parsed.
    func event(_ levID: UInt64) throws -> Event? {
        guard let json = try payload(levID) else { return nil }
        do {
            return try Event(json: Array(json))
        } catch {
            throw StoreError.corrupt("event \(levID) does not parse: \(error)")
        }
    }

    func infoValue(_ key: Schema.InfoKey) throws -> UInt64? {
        try txn.get(tables.info, key: key.bytes).map { Schema.readUInt64($0) }
    }
}
