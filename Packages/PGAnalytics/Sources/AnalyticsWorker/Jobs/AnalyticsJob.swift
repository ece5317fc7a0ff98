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

/// Replacing a result table's rows: delete the old, bulk-load the new. Run inside a transaction,
/// readers see the old rows until it commits, then only the new.
enum ResultTable {
    /// Deletes every row of `table`, then COPYs `rows` into `columns`; returns the rows copied.
    static func replace(
        _ table: String, columns: [String], rows: some Sequence<[PostgresValue]>, in database: PostgresConnection
    ) throws -> Int {
        try database.execute("DELETE FROM \(table)")
        return try database.copyIn(
            "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN", rows: rows)
    }
}
