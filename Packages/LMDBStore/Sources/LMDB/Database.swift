import CLMDB

/// How a named database orders and stores its entries.
public struct DatabaseFlags: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    /// Creates flags from LMDB's bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Several sorted values per key (`MDB_DUPSORT`).
    public static let duplicateSort = DatabaseFlags(rawValue: UInt32(MDB_DUPSORT))
    /// With `duplicateSort`: every value has the same size, packed densely (`MDB_DUPFIXED`).
    public static let duplicateFixed = DatabaseFlags(rawValue: UInt32(MDB_DUPFIXED))
    /// Keys are native unsigned integers (`MDB_INTEGERKEY`).
    public static let integerKey = DatabaseFlags(rawValue: UInt32(MDB_INTEGERKEY))
}

/// A named database inside an environment. A plain handle: valid for the environment's lifetime.
public struct Database: Sendable, Hashable {
    /// LMDB's handle.
    public let handle: MDB_dbi
    /// The database's name.
    public let name: String
    /// Its flags.
    public let flags: DatabaseFlags
}

/// Flags for `Transaction.put`.
public struct PutFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    /// Creates flags from LMDB's bits.
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Fail with `MDB_KEYEXIST` if the key exists (`MDB_NOOVERWRITE`).
    public static let noOverwrite = PutFlags(rawValue: UInt32(MDB_NOOVERWRITE))
    /// Skip the value if the key already has it (`MDB_NODUPDATA`).
    public static let noDuplicateData = PutFlags(rawValue: UInt32(MDB_NODUPDATA))
    /// The key sorts after every existing key: a fast append (`MDB_APPEND`).
    public static let append = PutFlags(rawValue: UInt32(MDB_APPEND))
}
