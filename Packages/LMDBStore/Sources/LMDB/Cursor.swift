import CLMDB

/// A position in a database, for range scans and duplicate-sorted walks.
///
/// Valid only inside the transaction that opened it. Returned buffers point into the map.
public struct Cursor {
    let pointer: OpaquePointer
    /// The database it walks.
    public let database: Database

    /// A key and a value, pointing into the map.
    public typealias Entry = (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)

    /// Moves by `operation`; `key` and `value` feed the operations that take them (`set`,
    /// `setRange`, `getBothRange`). Returns the entry there, or `nil` when there is none.
    @discardableResult
    public mutating func move(
        _ operation: CursorOperation, key: UnsafeRawBufferPointer? = nil, value: UnsafeRawBufferPointer? = nil
    ) throws(LMDBError) -> Entry? {
        var keyValue = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var dataValue = MDB_val(
            mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let code = mdb_cursor_get(pointer, &keyValue, &dataValue, operation.raw)
        if code == MDB_NOTFOUND { return nil }
        try LMDBError.check(code, "mdb_cursor_get \(database.name)")
        return (
            UnsafeRawBufferPointer(start: keyValue.mv_data, count: keyValue.mv_size),
            UnsafeRawBufferPointer(start: dataValue.mv_data, count: dataValue.mv_size)
        )
    }

    /// Moves with a key given as bytes.
    @discardableResult
    public mutating func move(
        _ operation: CursorOperation, key: [UInt8], value: [UInt8]? = nil
    ) throws(LMDBError)
        -> Entry?
    {
        var result: Entry?
        var failure: LMDBError?
        key.withUnsafeBytes { keyBytes in
            if let value {
                value.withUnsafeBytes { valueBytes in
                    do throws(LMDBError) { result = try move(operation, key: keyBytes, value: valueBytes) } catch {
                        failure = error
                    }
                }
            } else {
                do throws(LMDBError) { result = try move(operation, key: keyBytes) } catch { failure = error }
            }
        }
        if let failure { throw failure }
        return result
    }

    /// How many values the current key has (duplicate-sorted databases).
    public func duplicateCount() throws(LMDBError) -> Int {
        var count = 0
        try LMDBError.check(mdb_cursor_count(pointer, &count), "mdb_cursor_count \(database.name)")
        return count
    }

    /// Deletes the entry at the cursor.
    public func deleteCurrent() throws(LMDBError) {
        try LMDBError.check(mdb_cursor_del(pointer, 0), "mdb_cursor_del \(database.name)")
    }

    /// Releases a cursor from `Transaction.openCursor` (cursors from `withCursor` close themselves).
    public func close() { mdb_cursor_close(pointer) }
}

/// The cursor moves the store uses, named for what they do.
public enum CursorOperation: Sendable {
    /// The first entry.
    case first
    /// The last entry.
    case last
    /// The next entry (next value, or the next key's first value).
    case next
    /// The previous entry.
    case previous
    /// The next value of the current key only.
    case nextDuplicate
    /// The previous value of the current key only.
    case previousDuplicate
    /// The first value of the next key.
    case nextKey
    /// The first value of the current key.
    case firstDuplicate
    /// The last value of the current key.
    case lastDuplicate
    /// Exactly `key`.
    case set
    /// The first key at or after `key`.
    case setRange
    /// Under exactly `key`, the first value at or after `value` (duplicate-sorted databases).
    case getBothRange
    /// The current entry.
    case current

    var raw: MDB_cursor_op {
        switch self {
        case .first: MDB_FIRST
        case .last: MDB_LAST
        case .next: MDB_NEXT
        case .previous: MDB_PREV
        case .nextDuplicate: MDB_NEXT_DUP
        case .previousDuplicate: MDB_PREV_DUP
        case .nextKey: MDB_NEXT_NODUP
        case .firstDuplicate: MDB_FIRST_DUP
        case .lastDuplicate: MDB_LAST_DUP
        case .set: MDB_SET_KEY
        case .setRange: MDB_SET_RANGE
        case .getBothRange: MDB_GET_BOTH_RANGE
        case .current: MDB_GET_CURRENT
        }
    }
}
