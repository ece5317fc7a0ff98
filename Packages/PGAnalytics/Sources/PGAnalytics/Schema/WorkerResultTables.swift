/// A table the analytics worker writes whole, and the columns its rows give values for, in order.
public struct ResultTableLayout: Sendable {
    /// The table's name.
    public let name: String
    /// The columns each row gives, in the order of its values.
    public let columns: [String]

    /// `COPY table (columns) FROM STDIN`, into `table` (the layout's own, or a fresh copy of it).
    func copyStatement(into table: String? = nil) -> String {
        "COPY \(table ?? name) (\(columns.joined(separator: ", "))) FROM STDIN"
    }
}

/// The analytics worker's result tables (created by `AnalyticsMigrations.workerResults`) as the
/// worker writes them: declared here, next to their definitions, so the worker holds no SQL.
public enum WorkerResultTables {
    /// Followers, following and mutes of every pubkey the follow graph names.
    public static let followerCounts = ResultTableLayout(
        name: "follower_counts", columns: ["pubkey", "followers", "following", "muted_by", "computed_at"])
    /// PageRank and trusted followers of every pubkey.
    public static let pubkeyRankings = ResultTableLayout(
        name: "pubkey_rankings", columns: ["pubkey", "pagerank", "pagerank_rank", "trusted_followers", "computed_at"])
    /// The trusted set.
    public static let trustedPubkeys = ResultTableLayout(
        name: "trusted_pubkeys", columns: ["pubkey", "source", "round", "trusted_followers", "trusted_at"])
    /// Bot clusters, numbered from 1.
    public static let botClusters = ResultTableLayout(
        name: "bot_clusters",
        columns: [
            "cluster_id", "size", "internal_edges", "external_edges", "internal_density", "external_ratio",
            "untrusted_members", "detected_at",
        ])
    /// The members of each bot cluster.
    public static let botClusterMembers = ResultTableLayout(
        name: "bot_cluster_members", columns: ["cluster_id", "pubkey", "trusted"])
    /// Spam candidates, one row per pubkey and reason.
    public static let spamCandidates = ResultTableLayout(
        name: "spam_candidates", columns: ["pubkey", "reason", "cluster_id", "followers", "detected_at"])
    /// The communities kept, 0 the largest.
    public static let communities = ResultTableLayout(
        name: "communities",
        columns: [
            "community_id", "size", "internal_edges", "external_edges", "internal_density", "external_ratio",
            "detected_at",
        ])
    /// The members of each community kept, ranked by followers.
    public static let communityMembers = ResultTableLayout(
        name: "community_members", columns: ["community_id", "pubkey", "followers", "member_rank"])
    /// Follows between two communities kept.
    public static let communityEdges = ResultTableLayout(
        name: "community_edges", columns: ["from_community", "to_community", "weight"])
}
