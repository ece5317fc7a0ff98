/// Why `AnalyticsSchema.migrate` refused to run. (A migration statement that fails is reported as
/// the `PostgresError` it raised, so its SQLSTATE and `isConnectionFailure` stay readable.)
public enum AnalyticsSchemaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// The database records `databaseVersion`, newer than `newestKnown`, the last migration this
    /// build has: a newer build migrated it, and this one must not write to a schema it does not know.
    case databaseIsNewer(databaseVersion: Int, newestKnown: Int)
    /// The migration list is malformed (versions not positive, not strictly increasing, or beyond
    /// the `integer` column): a programming error in the list, caught before touching the database.
    case invalidMigrations(String)
    /// `migrate` was called inside an open transaction. It commits its own, so that the advisory
    /// lock is released and the schema visible to others as soon as it is done.
    case calledInsideTransaction

    /// A sentence for logs, naming the versions involved.
    public var description: String {
        switch self {
        case .databaseIsNewer(let databaseVersion, let newestKnown):
            "the analytics database is at schema version \(databaseVersion), but this build knows only up to "
                + "version \(newestKnown): a newer PurplePages build migrated it; run that build (or newer)"
        case .invalidMigrations(let reason):
            "invalid analytics migration list: \(reason)"
        case .calledInsideTransaction:
            "AnalyticsSchema.migrate must be called outside a transaction (it commits its own)"
        }
    }
}
