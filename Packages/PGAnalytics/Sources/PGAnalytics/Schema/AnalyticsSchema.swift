/// Brings the analytics database up to date with `AnalyticsMigrations`, recording what it applied
/// in `schema_migrations` (created by the first run).
///
/// The relay and the analytics worker both call `migrate` at start, possibly at the same instant:
/// an advisory lock makes the second wait for the first, then find everything applied.
public enum AnalyticsSchema {
    /// The `pg_advisory_xact_lock` key that serialises migrations: the ASCII bytes of "PPschema".
    /// Fixed, so that every PurplePages process (any build) contends on the same lock. It is
    /// database-wide, so migrations of separate schemas in one database also take turns.
    public static let advisoryLockKey: Int64 = 0x5050_7363_6865_6D61

    /// Applies, in increasing version order, every migration in `migrations` that the database has
    /// not recorded, and returns their versions (empty when the schema was up to date).
    ///
    /// Everything happens in one transaction holding the advisory lock, so a failure leaves the
    /// database as it was, and a concurrent `migrate` waits rather than applying twice. A failing
    /// statement throws its `PostgresError` (SQLSTATE kept), its message prefixed with the migration.
    ///
    /// Throws `AnalyticsSchemaError.invalidMigrations` for a malformed list (checked first: a
    /// thrown error rather than a trap, so a relay logs it instead of crashing),
    /// `.databaseIsNewer` when the database records a version beyond the list's last, and
    /// `.calledInsideTransaction` when the connection is in a transaction.
    @discardableResult
    public static func migrate(
        _ connection: PostgresConnection, migrations: [AnalyticsMigration] = AnalyticsMigrations.all
    ) throws -> [Int] {
        try validate(migrations)
        guard !connection.isInTransaction else { throw AnalyticsSchemaError.calledInsideTransaction }
        return try connection.transaction {
            // The second of two racing processes must see the first's commit once it holds the lock;
            // under a REPEATABLE READ default its snapshot would predate the wait. Must come first.
            try connection.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")
            // Before creating the table: two `CREATE TABLE IF NOT EXISTS` at the same instant can
            // both pass the check, and the loser fails on the catalog's unique index.
            try connection.execute("SELECT pg_advisory_xact_lock($1::bigint)", [.int64(advisoryLockKey)])
            try connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version integer PRIMARY KEY,
                    name text NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """)
            let recorded = Set(try readVersions(connection))
            let newestKnown = migrations.last?.version ?? 0
            if let newest = recorded.max(), newest > newestKnown {
                throw AnalyticsSchemaError.databaseIsNewer(databaseVersion: newest, newestKnown: newestKnown)
            }
            var applied: [Int] = []
            for migration in migrations where !recorded.contains(migration.version) {
                try apply(migration, connection)
                applied.append(migration.version)
            }
            return applied
        }
    }

    /// The versions recorded in `schema_migrations`, in increasing order; empty when the table does
    /// not exist yet (a database never migrated).
    public static func appliedVersions(_ connection: PostgresConnection) throws -> [Int] {
        // to_regclass follows search_path like the unqualified name in `migrate`.
        let exists = try connection.execute("SELECT to_regclass('schema_migrations') IS NOT NULL")
        guard try exists.rows.first?.bool(0) == true else { return [] }
        return try readVersions(connection)
    }

    private static func readVersions(_ connection: PostgresConnection) throws -> [Int] {
        try connection.execute("SELECT version FROM schema_migrations ORDER BY version").rows.map { row in
            guard let version = try row.int(0) else {
                throw PostgresError(message: "schema_migrations.version is NULL")
            }
            return version
        }
    }

    /// Runs the migration's statements and records it; a failure names the migration and statement.
    private static func apply(_ migration: AnalyticsMigration, _ connection: PostgresConnection) throws {
        for (index, statement) in migration.statements.enumerated() {
            do throws(PostgresError) {
                try connection.execute(statement)
            } catch {
                throw PostgresError(
                    message: "migration \(migration.version) (\(migration.name)), statement \(index + 1) of "
                        + "\(migration.statements.count): \(error.message)",
                    sqlState: error.sqlState, detail: error.detail, hint: error.hint,
                    connectionBad: error.connectionBad)
            }
        }
        try connection.execute(
            "INSERT INTO schema_migrations (version, name) VALUES ($1::integer, $2::text)",
            [.int(migration.version), .string(migration.name)])
    }

    /// Versions must be positive, fit `schema_migrations.version` (an `integer`), and strictly
    /// increase: the order they are applied in is the list's, and a duplicate would be skipped silently.
    static func validate(_ migrations: [AnalyticsMigration]) throws(AnalyticsSchemaError) {
        var previous: AnalyticsMigration?
        for migration in migrations {
            guard (1...Int(Int32.max)).contains(migration.version) else {
                throw .invalidMigrations(
                    "version \(migration.version) (\(migration.name)) is outside 1...\(Int32.max)")
            }
            if let previous, migration.version <= previous.version {
                throw .invalidMigrations(
                    "version \(migration.version) (\(migration.name)) follows version \(previous.version) "
                        + "(\(previous.name)): versions must be unique and strictly increasing")
            }
            previous = migration
        }
    }
}
