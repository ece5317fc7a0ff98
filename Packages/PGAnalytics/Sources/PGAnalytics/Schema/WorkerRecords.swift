import Foundation

/// What the analytics worker records about a pass besides its result tables: one row per job
/// run (`analytics_job_runs`) and the partition as a whole (`community_stats`).
public enum WorkerRecords {
    /// One job of one pass, for `analytics_job_runs`.
    public struct JobRun: Sendable {
        /// The job's name.
        public var job: String
        /// When it started.
        public var startedAt: Date
        /// How long it took (compute and write), in milliseconds.
        public var durationMilliseconds: Int64
        /// Whether it succeeded.
        public var succeeded: Bool
        /// Its figures, or its error.
        public var details: String

        /// A run.
        public init(job: String, startedAt: Date, durationMilliseconds: Int64, succeeded: Bool, details: String) {
            self.job = job
            self.startedAt = startedAt
            self.durationMilliseconds = durationMilliseconds
            self.succeeded = succeeded
            self.details = details
        }
    }

    /// Records `run`, and deletes runs older than `keepDays`.
    public static func record(_ run: JobRun, keepDays: Int, in connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO analytics_job_runs (job, started_at, duration_ms, succeeded, details)
            VALUES ($1, $2, $3, $4, $5) ON CONFLICT (job, started_at) DO NOTHING
            """,
            [
                .string(run.job), .timestamp(run.startedAt), .int64(run.durationMilliseconds), .bool(run.succeeded),
                .string(run.details),
            ])
        try connection.execute(
            "DELETE FROM analytics_job_runs WHERE started_at < now() - make_interval(days => $1::int)",
            [.int(keepDays)])
    }

    /// The last pass's follow graph and partition as a whole, for `community_stats`.
    public struct CommunityStatistics: Sendable {
        /// Nodes of the follow graph.
        public var totalNodes: Int
        /// Follows in it.
        public var totalEdges: Int
        /// Communities Louvain found.
        public var communitiesFound: Int
        /// Communities kept (large enough, among the largest).
        public var communitiesKept: Int
        /// The partition's modularity.
        public var modularity: Double
        /// Louvain's aggregation levels.
        public var levels: Int
        /// The pass's time.
        public var detectedAt: Date

        /// The statistics of one pass.
        public init(
            totalNodes: Int, totalEdges: Int, communitiesFound: Int, communitiesKept: Int, modularity: Double,
            levels: Int, detectedAt: Date
        ) {
            self.totalNodes = totalNodes
            self.totalEdges = totalEdges
            self.communitiesFound = communitiesFound
            self.communitiesKept = communitiesKept
            self.modularity = modularity
            self.levels = levels
            self.detectedAt = detectedAt
        }
    }

    /// Replaces the single row of `community_stats` with `statistics`.
    public static func record(_ statistics: CommunityStatistics, in connection: PostgresConnection) throws {
        try connection.execute(
            """
            INSERT INTO community_stats AS s
                (id, total_nodes, total_edges, communities_found, communities_kept, modularity, levels, detected_at)
            VALUES (1, $1, $2, $3, $4, $5, $6, $7)
            ON CONFLICT (id) DO UPDATE SET total_nodes = excluded.total_nodes,
                total_edges = excluded.total_edges, communities_found = excluded.communities_found,
                communities_kept = excluded.communities_kept, modularity = excluded.modularity,
                levels = excluded.levels, detected_at = excluded.detected_at
            """,
            [
                .int(statistics.totalNodes), .int(statistics.totalEdges), .int(statistics.communitiesFound),
                .int(statistics.communitiesKept), .double(statistics.modularity), .int(statistics.levels),
                .timestamp(statistics.detectedAt),
            ])
    }
}
