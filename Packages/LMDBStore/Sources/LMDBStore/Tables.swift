import LMDB

/// The opened tables, by name.
struct Tables: Sendable {
    let info, payloads, metas, ids, byCreatedAt, byKind, byPubkeyKind, byTag: Database
    let addresses, expirations, deletions, addressDeletions, kindCounts: Database

    init(environment: Environment, path: String) throws {
        func open(_ table: Schema.Table) throws -> Database {
            do {
                return try environment.openDatabase(table.rawValue, flags: table.flags)
            } catch let error as LMDBError where environment.isReadOnly && error.isNotFound {
                throw StoreError.missing(path: path)
            }
        }
        info = try open(.info)
        payloads = try open(.payloads)
        metas = try open(.metas)
        ids = try open(.ids)
        byCreatedAt = try open(.byCreatedAt)
        byKind = try open(.byKind)
        byPubkeyKind = try open(.byPubkeyKind)
        byTag = try open(.byTag)
        addresses = try open(.addresses)
        expirations = try open(.expirations)
        deletions = try open(.deletions)
        addressDeletions = try open(.addressDeletions)
        kindCounts = try open(.kindCounts)
        try checkSchemaVersion(environment: environment, path: path)
    }

    private func checkSchemaVersion(environment: Environment, path: String) throws {
        let key = Schema.InfoKey.schemaVersion.bytes
        let found = try environment.read { txn in
            try txn.get(info, key: key).map { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
        }
        if let found, found != Schema.version {
            throw StoreError.schemaMismatch(path: path, found: found, expected: Schema.version)
        }
        if found == nil && !environment.isReadOnly {
            try environment.write { txn in
                try txn.put(info, key: key, value: withUnsafeBytes(of: Schema.version.bigEndian) { Array($0) })
            }
        }
    }
}
