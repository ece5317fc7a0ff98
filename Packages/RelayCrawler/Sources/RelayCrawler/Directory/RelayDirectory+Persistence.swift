import LMDB

/// The directory's own LMDB environment: where records, cursors, outbox states and the discovery
/// checkpoint live between runs. Every method is one transaction; writes commit durably.
struct DirectoryStore: Sendable {
    /// One change to the `relays` database.
    enum RelayWrite {
        case put(RelayRecord)
        case delete(String)

        /// The relay it changes.
        var url: String {
            switch self {
            case .put(let record): record.url
            case .delete(let url): url
            }
        }
    }

    let environment: Environment
    let path: String
    private let meta, relays, cursors, outbox: Database

    /// Opens (creating) the environment in directory `path`, refusing another layout version.
    init(path: String, mapSizeBytes: Int) throws {
        environment = try Environment(
            path: path, options: .init(mapSize: mapSizeBytes, maxReaders: 64, maxDatabases: 8))
        self.path = path
        meta = try environment.openDatabase(DirectorySchema.Table.meta.rawValue, flags: [])
        relays = try environment.openDatabase(DirectorySchema.Table.relays.rawValue, flags: [])
        cursors = try environment.openDatabase(DirectorySchema.Table.cursors.rawValue, flags: [])
        outbox = try environment.openDatabase(DirectorySchema.Table.outbox.rawValue, flags: [])
        try checkSchemaVersion()
    }

    private func checkSchemaVersion() throws {
        let key = DirectorySchema.MetaKey.schemaVersion.bytes
        let found = try environment.read { txn in
            try txn.get(meta, key: key).map { bytes -> UInt32? in
                bytes.count == 4 ? UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)) : nil
            }
        }
        switch found {
        case .none:
            try environment.write { txn in
                try txn.put(meta, key: key, value: DirectorySchema.bigEndian(DirectorySchema.version))
            }
        case .some(let version) where version == DirectorySchema.version:
            return
        case .some(let version):
            throw DirectoryError.schemaMismatch(path: path, found: version ?? 0, expected: DirectorySchema.version)
        }
    }

    /// Every stored record.
    func loadRecords() throws -> [RelayRecord] {
        try environment.read { txn in
            try txn.withCursor(relays) { cursor in
                var records: [RelayRecord] = []
                records.reserveCapacity(try txn.count(relays))
                var entry = try cursor.move(.first)
                while let (key, value) = entry {
                    let url = String(decoding: key, as: UTF8.self)
                    guard let record = DirectoryCodec.decodeRecord(url: url, value) else {
                        throw DirectoryError.corrupt(path: path, table: DirectorySchema.Table.relays.rawValue, key: url)
                    }
                    records.append(record)
                    entry = try cursor.move(.next)
                }
                return records
            }
        }
    }

    /// Applies `writes` (in order), and stores `checkpoint` if given, in one transaction.
    func apply(_ writes: some Collection<RelayWrite>, checkpoint: UInt64? = nil) throws {
        guard !writes.isEmpty || checkpoint != nil else { return }
        try environment.write { txn in
            if let checkpoint {
                try txn.put(
                    meta, key: DirectorySchema.MetaKey.discoveryCheckpoint.bytes,
                    value: DirectorySchema.bigEndian(checkpoint))
            }
            for write in writes {
                switch write {
                case .put(let record):
                    try txn.put(relays, key: Array(record.url.utf8), value: DirectoryCodec.encode(record))
                case .delete(let url):
                    try txn.delete(relays, key: Array(url.utf8))
                }
            }
        }
    }

    /// The stored discovery checkpoint (0 when none).
    func loadCheckpoint() throws -> UInt64 {
        try environment.read { txn in
            guard let bytes = try txn.get(meta, key: DirectorySchema.MetaKey.discoveryCheckpoint.bytes),
                bytes.count == 8
            else { return 0 }
            return UInt64(bigEndian: bytes.loadUnaligned(as: UInt64.self))
        }
    }

    /// Stores the discovery checkpoint.
    func storeCheckpoint(_ sequence: UInt64) throws {
        try environment.write { txn in
            try txn.put(
                meta, key: DirectorySchema.MetaKey.discoveryCheckpoint.bytes, value: DirectorySchema.bigEndian(sequence)
            )
        }
    }

    /// The cursor stored under `key`, if any.
    func cursor(key: [UInt8]) throws -> SyncCursor? {
        try environment.read { txn in
            guard let bytes = try txn.get(cursors, key: key) else { return nil }
            guard let cursor = DirectoryCodec.decodeCursor(bytes) else {
                throw DirectoryError.corrupt(
                    path: path, table: DirectorySchema.Table.cursors.rawValue, key: String(decoding: key, as: UTF8.self)
                )
            }
            return cursor
        }
    }

    /// Stores a cursor under `key`.
    func storeCursor(_ cursor: SyncCursor, key: [UInt8]) throws {
        try environment.write { txn in try txn.put(cursors, key: key, value: DirectoryCodec.encode(cursor)) }
    }

    /// The outbox state stored under `key`, if any.
    func outboxState(key: [UInt8]) throws -> OutboxState? {
        try environment.read { txn in
            guard let bytes = try txn.get(outbox, key: key) else { return nil }
            guard let state = DirectoryCodec.decodeOutbox(bytes) else {
                throw DirectoryError.corrupt(
                    path: path, table: DirectorySchema.Table.outbox.rawValue, key: String(decoding: key, as: UTF8.self))
            }
            return state
        }
    }

    /// Stores outbox states in one transaction.
    func storeOutboxStates(_ states: [(key: [UInt8], state: OutboxState)]) throws {
        guard !states.isEmpty else { return }
        try environment.write { txn in
            for (key, state) in states { try txn.put(outbox, key: key, value: DirectoryCodec.encode(state)) }
        }
    }
}
