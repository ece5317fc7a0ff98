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
