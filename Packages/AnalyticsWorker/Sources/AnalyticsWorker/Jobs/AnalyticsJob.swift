import PGAnalytics

/// One job of an analytics pass. `compute` works in memory from the pass so far (and may add to
/// it for later jobs); the returned `JobOutput` then replaces the job's tables in one transaction.
protocol AnalyticsJob: Sendable {
    /// The job's name in logs and `analytics_job_runs`.
    var name: String { get }
    /// Computes the job's results.
    func compute(_ pass: inout AnalyticsPass, database: PostgresConnection) throws -> JobOutput
}

/// What a job computed: a summary for the log, and how to write it.
struct JobOutput {
    /// Sizes and figures, `key=value` separated by spaces.
    var details: String
    /// Replaces the job's tables (called inside a transaction); returns the rows written.
    var write: (PostgresConnection) throws -> Int
}

/// Replacing a result table's rows inside the job's transaction: readers see the old rows until
/// it commits, then only the new.
enum ResultTable {
    /// Deletes every row of `table`, then COPYs `rows` into `columns`; returns the rows copied. For
    /// small tables, and tables other tables reference.
    static func replace(
        _ table: String, columns: [String], rows: some Sequence<[PostgresValue]>, in database: PostgresConnection
    ) throws -> Int {
        try database.execute("DELETE FROM \(table)")
        return try database.copyIn(
            "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN", rows: rows)
    }

    /// Loads `rows` into a new copy of `table` (same columns, defaults and checks), builds the old
    /// table's indexes on it once loaded, and swaps it in for the old one. For tables of a row per
    /// pubkey: a bulk load then a sorted index build is many times faster than updating the indexes
    /// row by row (and leaves no dead rows to vacuum). Returns the rows copied.
    static func swap(
        _ table: String, columns: [String], rows: some Sequence<[PostgresValue]>, in database: PostgresConnection
    ) throws -> Int {
        let fresh = "pp_new_\(table)"
        let indexes = try database.execute(
            """
            SELECT i.indexname, i.indexdef, c.contype = 'p' FROM pg_indexes i
            LEFT JOIN pg_constraint c ON c.conname = i.indexname
                AND c.connamespace = (SELECT oid FROM pg_namespace WHERE nspname = i.schemaname)
            WHERE i.schemaname = current_schema() AND i.tablename = $1
            """, [.string(table)]
        ).rows.map { row in
            (name: try row.string(0) ?? "", definition: try row.string(1) ?? "", isPrimaryKey: try row.bool(2) ?? false)
        }
        try database.execute("DROP TABLE IF EXISTS \(fresh)")
        try database.execute("CREATE TABLE \(fresh) (LIKE \(table) INCLUDING DEFAULTS INCLUDING CONSTRAINTS)")
        let copied = try database.copyIn(
            "COPY \(fresh) (\(columns.joined(separator: ", "))) FROM STDIN", rows: rows)
        for index in indexes {
            // "CREATE [UNIQUE] INDEX name ON schema.table USING method (columns)"
            guard let on = index.definition.range(of: " ON "),
                let using = index.definition.range(of: " USING ", range: on.upperBound..<index.definition.endIndex)
            else { throw PostgresError(message: "unexpected index definition: \(index.definition)") }
            let unique = index.definition.hasPrefix("CREATE UNIQUE") ? "UNIQUE " : ""
            let method = index.definition[using.upperBound...]
            try database.execute("CREATE \(unique)INDEX pp_new_\(index.name) ON \(fresh) USING \(method)")
        }
        try database.execute("DROP TABLE \(table)")
        try database.execute("ALTER TABLE \(fresh) RENAME TO \(table)")
        for index in indexes {
            if index.isPrimaryKey {
                try database.execute(
                    "ALTER TABLE \(table) ADD CONSTRAINT \(index.name) PRIMARY KEY USING INDEX pp_new_\(index.name)")
            } else {
                try database.execute("ALTER INDEX pp_new_\(index.name) RENAME TO \(index.name)")
            }
        }
        return copied
    }
}
