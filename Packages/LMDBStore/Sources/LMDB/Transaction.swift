import CLMDB

/// A transaction, valid only inside the closure of `Environment.read` or `Environment.write`.
/// Byte buffers it returns point into the map and are valid only until the transaction ends.
public struct Transaction {
    let pointer: OpaquePointer
    /// Whether the transaction can only read.
    public internal(set) var isReadOnly: Bool

    init(pointer: OpaquePointer, isReadOnly: Bool) {
        self.pointer = pointer
        self.isReadOnly = isReadOnly
    }

    func openDatabase(_ name: String, flags: DatabaseFlags, create: Bool) throws(LMDBError) -> Database {
        var handle = MDB_dbi()
        let openFlags = flags.rawValue | (create ? UInt32(MDB_CREATE) : 0)
        try LMDBError.check(mdb_dbi_open(pointer, name, openFlags, &handle), "mdb_dbi_open \(name)")
        return Database(handle: handle, name: name, flags: flags)
    }

    /// The value stored under `key`, or `nil`.
    public func get(_ database: Database, key: UnsafeRawBufferPointer) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var value = MDB_val()
        let code = mdb_get(pointer, database.handle, &keyValue, &value)
        if code == MDB_NOTFOUND { return nil }
        try LMDBError.check(code, "mdb_get \(database.name)")
        return UnsafeRawBufferPointer(start: value.mv_data, count: value.mv_size)
    }

    /// The value stored under `key` (given as bytes), or `nil`.
    public func get(_ database: Database, key: [UInt8]) throws(LMDBError) -> UnsafeRawBufferPointer? {
        var result: UnsafeRawBufferPointer?
        var failure: LMDBError?
        key.withUnsafeBytes { bytes in
            do throws(LMDBError) { result = try get(database, key: bytes) } catch { failure = error }
        }
        if let failure { throw failure }
        return result
    }

    /// Stores `value` under `key`. Returns `false` when `noOverwrite`/`noDuplicateData` found it there.
    @discardableResult
    public func put(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer, flags: PutFlags = []
    ) throws(LMDBError) -> Bool {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var dataValue = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        let code = mdb_put(pointer, database.handle, &keyValue, &dataValue, flags.rawValue)
        if code == MDB_KEYEXIST { return false }
        try LMDBError.check(code, "mdb_put \(database.name)")
        return true
    }

    /// Stores byte arrays.
    @discardableResult
    public func put(
        _ database: Database, key: [UInt8], value: [UInt8], flags: PutFlags = []
    ) throws(LMDBError)
        -> Bool
    {
        var result = false
        var failure: LMDBError?
        key.withUnsafeBytes { keyBytes in
            value.withUnsafeBytes { valueBytes in
                do throws(LMDBError) {
                    result = try put(database, key: keyBytes, value: valueBytes, flags: flags)
                } catch {
                    failure = error
                }
            }
        }
        if let failure { throw failure }
        return result
    }

    /// Deletes `key` (all its values), or only `value` under it for a duplicate-sorted database.
    /// Returns `false` when there was nothing to delete.
    @discardableResult
    public func delete(
        _ database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer? = nil
    )
        throws(LMDBError) -> Bool
    {
        var keyValue = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var code: Int32
        if let value {
            var dataValue = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
            code = mdb_del(pointer, database.handle, &keyValue, &dataValue)
        } else {
            code = mdb_del(pointer, database.handle, &keyValue, nil)
        }
        if code == MDB_NOTFOUND { return false }
        try LMDBError.check(code, "mdb_del \(database.name)")
        return true
    }

    /// Deletes with byte-array key and value.
    @discardableResult
    public func delete(_ database: Database, key: [UInt8], value: [UInt8]? = nil) throws(LMDBError) -> Bool {
        var result = false
        var failure: LMDBError?
        key.withUnsafeBytes { keyBytes in
            let run = { (valueBytes: UnsafeRawBufferPointer?) in
                do throws(LMDBError) {
                    result = try delete(database, key: keyBytes, value: valueBytes)
                } catch {
                    failure = error
                }
            }
            if let value { value.withUnsafeBytes { run($0) } } else { run(nil) }
        }
        if let failure { throw failure }
        return result
    }

    /// Opens a cursor over `database`, valid inside `body`.
    public func withCursor<R>(_ database: Database, _ body: (inout Cursor) throws -> R) throws -> R {
        var handle: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(pointer, database.handle, &handle), "mdb_cursor_open \(database.name)")
        var cursor = Cursor(pointer: handle!, database: database)
        defer { mdb_cursor_close(handle) }
        return try body(&cursor)
    }

    /// Opens a cursor the caller must `close()` (for merges that keep many cursors at once).
    public func openCursor(_ database: Database) throws(LMDBError) -> Cursor {
        var handle: OpaquePointer?
        try LMDBError.check(mdb_cursor_open(pointer, database.handle, &handle), "mdb_cursor_open \(database.name)")
        return Cursor(pointer: handle!, database: database)
    }

    /// Number of entries in `database`.
    public func count(_ database: Database) throws(LMDBError) -> Int {
        var stat = MDB_stat()
        try LMDBError.check(mdb_stat(pointer, database.handle, &stat), "mdb_stat \(database.name)")
        return stat.ms_entries
    }

    /// Deletes every entry of `database`.
    public func empty(_ database: Database) throws(LMDBError) {
        try LMDBError.check(mdb_drop(pointer, database.handle, 0), "mdb_drop \(database.name)")
    }
}
