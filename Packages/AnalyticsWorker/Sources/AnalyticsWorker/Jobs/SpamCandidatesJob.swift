import PGAnalytics

/// `spam_candidates`: untrusted members of bot clusters (`bot_cluster`), and untrusted authors
/// that no client has ever asked for by pubkey (`never_requested`, from `req_pubkey_popularity`).
struct SpamCandidatesJob: AnalyticsJob {
    let name = "spam_candidates"

    func compute(_ pass: inout AnalyticsPass, database: PostgresConnection) throws -> JobOutput {
        let graph = pass.graph
        var requested = [Bool](repeating: false, count: graph.nodeCount)
        var requestedRows = 0
        try database.cursor("SELECT pubkey FROM req_pubkey_popularity WHERE total_requests > 0") { row in
            requestedRows += 1
            if let hex = try row.string(0), let node = graph.node(hex: hex), Int(node) < graph.nodeCount {
                requested[Int(node)] = true
            }
            return true
        }
        var candidates: [(node: UInt32, reason: String, cluster: Int?)] = []
        for cluster in pass.botClusters {
            for node in cluster.members where !pass.isTrusted(node) {
                candidates.append((node, "bot_cluster", cluster.id))
            }
        }
        let clusterCandidates = candidates.count
        for node in 0..<graph.nodeCount where graph.isAuthor[node] && !requested[node] {
            if !pass.isTrusted(UInt32(node)) { candidates.append((UInt32(node), "never_requested", nil)) }
        }
        let details =
            "requested_pubkeys=\(requestedRows) bot_cluster=\(clusterCandidates) "
            + "never_requested=\(candidates.count - clusterCandidates)"
        let detectedAt = PostgresValue.timestamp(pass.startedAt)
        let rows = candidates
        return JobOutput(details: details) { database in
            try ResultTable.swap(
                "spam_candidates", columns: ["pubkey", "reason", "cluster_id", "followers", "detected_at"],
                rows: rows.lazy.map { candidate -> [PostgresValue] in
                    [
                        .string(graph.hex(candidate.node)), .string(candidate.reason), PostgresValue(candidate.cluster),
                        .int(graph.followers(candidate.node)), detectedAt,
                    ]
                }, in: database)
        }
    }
}
