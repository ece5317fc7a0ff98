import CLMDB

/// An LMDB call that failed: the operation, LMDB's return code and its `mdb_strerror` text.
public struct LMDBError: Error, Sendable, Hashable, CustomStringConvertible {
    /// LMDB's (or the system's) error code.
    public var code: Int32
    /// What was being done, e.g. `mdb_env_open ./data/events.lmdb`.
    public var operation: String

    /// Creates an error for `code` raised by `operation`.
    public init(code: Int32, operation: String) {
        self.code = code
        self.operation = operation
    }

    /// `mdb_strerror`'s text for the code.
    public var message: String { String(cString: mdb_strerror(code)) }

    public var description: String { "\(operation): \(message)" }

    /// The map is full (`MDB_MAP_FULL`).
    public var isMapFull: Bool { code == MDB_MAP_FULL }
    /// The key or named database does not exist (`MDB_NOTFOUND`).
    public var isNotFound: Bool { code == MDB_NOTFOUND }
    /// Another process grew the map (`MDB_MAP_RESIZED`).
    public var isMapResized: Bool { code == MDB_MAP_RESIZED }

    /// Throws unless `code` is `MDB_SUCCESS`.
    @inlinable
    static func check(_ code: Int32, _ operation: @autoclosure () -> String) throws(LMDBError) {
        if code != 0 { throw LMDBError(code: code, operation: operation()) }
    }
}
