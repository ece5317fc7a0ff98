import PGAnalytics

/// `spam_candidates`: untrusted members of bot clusters (`bot_cluster`), and untrusted authors
/// that no client has ever asked for by pubkey (`never_requested`, from `req_pubkey_popularity`).
struct SpamCandidatesJob: AnalyticsJob {
    let name = "spam_candidates"

    func compute(_ pass: inout AnalyticsPass, database: PostgresConnection) throws -> JobOutput {
        let graph = pass.graph
        var requested = [Bool](repeating: false, count: graph.nodeCount)
        let requestedRows = try RequestedPubkeysQuery.read(from: database) { hex in
            if let node = graph.node(hex: hex), Int(node) < graph.nodeCount { requested[Int(node)] = true }
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
            try database.swapRows(
                of: WorkerResultTables.spamCandidates,
                with: rows.lazy.map { candidate -> [PostgresValue] in
                    [
                        .string(graph.hex(candidate.node)), .string(candidate.reason), PostgresValue(candidate.cluster),
                        .int(graph.followers(candidate.node)), detectedAt,
                    ]
                })
        }
    }
}
