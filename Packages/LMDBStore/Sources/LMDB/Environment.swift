import CLMDB
import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An LMDB environment: one memory-mapped file holding named databases.
///
/// Transactions are scoped to closures so nothing escapes them. Read transactions never wait for
/// writers (LMDB's MVCC); `write` commits durably and, when the map is full, grows it and runs the
/// closure again. Growing needs every transaction of this process closed, so transactions pass a
/// gate that the resize holds exclusively for that moment.
public final class Environment: @unchecked Sendable {
    /// How to open an environment.
    public struct Options: Sendable {
        /// The map size in bytes: address space reserved, not disk used (the file is sparse).
        public var mapSize: Int
        /// The most concurrent read transactions across all processes.
        public var maxReaders: UInt32
        /// The most named databases.
        public var maxDatabases: UInt32
        /// Open for reading only (another process may write).
        public var readOnly: Bool
        /// Skip read-ahead, which helps random reads of stores larger than memory.
        public var noReadAhead: Bool

        /// Options with LMDB-friendly defaults: 16 GiB map, 256 readers, 32 databases.
        public init(
            mapSize: Int = 16 << 30, maxReaders: UInt32 = 256, maxDatabases: UInt32 = 32, readOnly: Bool = false,
            noReadAhead: Bool = true
        ) {
            self.mapSize = mapSize
            self.maxReaders = maxReaders
            self.maxDatabases = maxDatabases
            self.readOnly = readOnly
            self.noReadAhead = noReadAhead
        }
    }

    let pointer: OpaquePointer
    /// The directory holding `data.mdb` and `lock.mdb`.
    public let path: String
    /// Whether this environment was opened read-only.
    public let isReadOnly: Bool
    private let gate = ResizeGate()
    private let mapSizeState: Mutex<Int>

    /// Creates `path` and any missing parent directories (like `mkdir -p`); failures show up when
    /// LMDB opens the path.
    private static func makeDirectories(_ path: String) {
        var prefix = path.hasPrefix("/") ? "/" : ""
        for component in path.split(separator: "/") {
            prefix += component
            mkdir(prefix, 0o755)
            prefix += "/"
        }
    }

    /// Opens (creating unless read-only) the environment in directory `path`, parents included.
    public init(path: String, options: Options = Options()) throws(LMDBError) {
        var environment: OpaquePointer?
        try LMDBError.check(mdb_env_create(&environment), "mdb_env_create")
        guard let environment else { throw LMDBError(code: EINVAL, operation: "mdb_env_create") }
        do throws(LMDBError) {
            try LMDBError.check(mdb_env_set_mapsize(environment, options.mapSize), "mdb_env_set_mapsize")
            try LMDBError.check(mdb_env_set_maxreaders(environment, options.maxReaders), "mdb_env_set_maxreaders")
            try LMDBError.check(mdb_env_set_maxdbs(environment, options.maxDatabases), "mdb_env_set_maxdbs")
            if !options.readOnly { Self.makeDirectories(path) }
            var flags = UInt32(MDB_NOTLS)
            if options.readOnly { flags |= UInt32(MDB_RDONLY) }
            if options.noReadAhead { flags |= UInt32(MDB_NORDAHEAD) }
            try LMDBError.check(mdb_env_open(environment, path, flags, 0o644), "mdb_env_open \(path)")
        } catch {
            mdb_env_close(environment)
            throw error
        }
        pointer = environment
        self.path = path
        isReadOnly = options.readOnly
        var info = MDB_envinfo()
        mdb_env_info(environment, &info)
        mapSizeState = Mutex(info.me_mapsize)
    }

    deinit { mdb_env_close(pointer) }

    /// The current map size in bytes.
    public var mapSize: Int { mapSizeState.withLock { $0 } }

    /// The page size in bytes.
    public var pageSize: Int {
        var stat = MDB_stat()
        mdb_env_stat(pointer, &stat)
        return Int(stat.ms_psize)
    }

    /// Bytes of the map in use: pages up to the last one written.
    public var usedBytes: Int {
        var info = MDB_envinfo()
        mdb_env_info(pointer, &info)
        return (info.me_last_pgno + 1) * pageSize
    }

    /// Tells the kernel this process no longer needs the map's pages resident. Only for read-only
    /// environments, whose map is a shared read-only file mapping: the pages stay in the page cache
    /// and are faulted back in on the next read, so data and open transactions are unaffected, but
    /// the process's RSS no longer counts every page a long scan touched.
    ///
    /// The map is found in `/proc/self/maps` (LMDB reports its address only for fixed maps); where
    /// that file does not exist this does nothing.
    public func releaseMappedPages() {
        guard isReadOnly, let maps = try? String(contentsOfFile: "/proc/self/maps", encoding: .utf8) else { return }
        let dataFile = URL(fileURLWithPath: path).appendingPathComponent("data.mdb").resolvingSymlinksInPath().path
        for line in maps.split(separator: "\n") where line.hasSuffix(dataFile) {
            let range = line.prefix { $0 != " " }.split(separator: "-")
            guard range.count == 2, let start = UInt(range[0], radix: 16), let end = UInt(range[1], radix: 16),
                end > start, let address = UnsafeMutableRawPointer(bitPattern: start)
            else { continue }
            _ = madvise(address, Int(end - start), MADV_DONTNEED)
        }
    }

    /// Runs `body` in a read-only transaction, which sees one consistent snapshot and never waits
    /// for a writer.
    public func read<R>(_ body: (Transaction) throws -> R) throws -> R {
        try gate.shared {
            var transaction = try begin(flags: UInt32(MDB_RDONLY))
            defer { mdb_txn_abort(transaction.pointer) }
            transaction.isReadOnly = true
            return try body(transaction)
        }
    }

    /// Runs `body` in a write transaction and commits it durably. If the map fills up, the
    /// transaction is abandoned, the map doubled, and `body` runs again from the start.
    @discardableResult
    public func write<R>(_ body: (Transaction) throws -> R) throws -> R {
        while true {
            do {
                return try gate.shared {
                    let transaction = try begin(flags: 0)
                    do {
                        let result = try body(transaction)
                        try LMDBError.check(mdb_txn_commit(transaction.pointer), "mdb_txn_commit")
                        return result
                    } catch {
                        mdb_txn_abort(transaction.pointer)
                        throw error
                    }
                }
            } catch let error as LMDBError where error.isMapFull {
                try grow()
            }
        }
    }

    private func begin(flags: UInt32) throws -> Transaction {
        while true {
            var transaction: OpaquePointer?
            let code = mdb_txn_begin(pointer, nil, flags, &transaction)
            if code == MDB_MAP_RESIZED {
                // Another process grew the map: adopt its size (needs no transaction open here).
                try gate.exclusive {
                    try LMDBError.check(mdb_env_set_mapsize(pointer, 0), "mdb_env_set_mapsize")
                    refreshMapSize()
                }
                continue
            }
            try LMDBError.check(code, "mdb_txn_begin")
            return Transaction(pointer: transaction!, isReadOnly: flags & UInt32(MDB_RDONLY) != 0)
        }
    }

    private func grow() throws {
        try gate.exclusive {
            let doubled = mapSize * 2
            try LMDBError.check(mdb_env_set_mapsize(pointer, doubled), "mdb_env_set_mapsize \(doubled)")
            refreshMapSize()
        }
    }

    private func refreshMapSize() {
        var info = MDB_envinfo()
        mdb_env_info(pointer, &info)
        mapSizeState.withLock { $0 = info.me_mapsize }
    }

    /// Opens (in a write transaction, creating it if needed) or finds (read-only) a named database.
    public func openDatabase(_ name: String, flags: DatabaseFlags) throws -> Database {
        guard isReadOnly else { return try write { try $0.openDatabase(name, flags: flags, create: true) } }
        // A handle opened in a transaction survives only if that transaction commits, so the
        // read-only path commits its read transaction instead of aborting it.
        return try gate.shared {
            let transaction = try begin(flags: UInt32(MDB_RDONLY))
            do {
                let database = try transaction.openDatabase(name, flags: flags, create: false)
                try LMDBError.check(mdb_txn_commit(transaction.pointer), "mdb_txn_commit")
                return database
            } catch {
                mdb_txn_abort(transaction.pointer)
                throw error
            }
        }
    }

    /// Writes a consistent snapshot of the environment as `data.mdb` into the existing directory
    /// `directory`, which must not hold one yet. Compacting leaves out free pages and renumbers the
    /// rest, so the copy is as small as the data; it runs in one read transaction, so writers go on
    /// meanwhile (but cannot reuse pages freed during the copy, so the source may grow a little).
    public func copy(to directory: String, compacting: Bool = true) throws(LMDBError) {
        let flags = compacting ? UInt32(MDB_CP_COMPACT) : 0
        let code = gate.shared { mdb_env_copy2(pointer, directory, flags) }
        try LMDBError.check(code, "mdb_env_copy2 \(directory)")
    }

    /// Flushes buffers to disk (commits already do; this is for belt and braces at shutdown).
    public func sync() throws(LMDBError) {
        try LMDBError.check(mdb_env_sync(pointer, 1), "mdb_env_sync")
    }
}

/// Lets transactions run together and a map resize run alone (a writer-preferring rwlock).
final class ResizeGate: @unchecked Sendable {
    private var lock = pthread_rwlock_t()

    init() {
        var attributes = pthread_rwlockattr_t()
        pthread_rwlockattr_init(&attributes)
        #if canImport(Glibc)
        pthread_rwlockattr_setkind_np(&attributes, Int32(PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP))
        #endif
        pthread_rwlock_init(&lock, &attributes)
        pthread_rwlockattr_destroy(&attributes)
    }

    deinit { pthread_rwlock_destroy(&lock) }

    func shared<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return try body()
    }

    func exclusive<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_wrlock(&lock)
        defer { pthread_rwlock_unlock(&lock) }
        return try body()
    }
}
