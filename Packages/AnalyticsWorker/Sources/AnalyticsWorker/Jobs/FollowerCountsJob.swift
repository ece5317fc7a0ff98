import PGAnalytics

/// `follower_counts`: followers, following and mute counts of every pubkey the graph names.
struct FollowerCountsJob: AnalyticsJob {
    let name = "follower_counts"

    func compute(_ pass: inout AnalyticsPass, database: PostgresConnection) throws -> JobOutput {
        let graph = pass.graph
        let computedAt = PostgresValue.timestamp(pass.startedAt)
        let statistics = graph.statistics
        let details =
            "pubkeys=\(graph.pubkeys.count) authors=\(statistics.followLists) follows=\(graph.graph.edgeCount) "
            + "mute_lists=\(statistics.muteLists) mutes=\(statistics.mutes) invalid_p_tags=\(statistics.invalidTags)"
        return JobOutput(details: details) { database in
            let rows = (0..<graph.pubkeys.count).lazy.map { index -> [PostgresValue] in
                let node = UInt32(index)
                return [
                    .string(graph.hex(node)), .int(graph.followers(node)), .int(graph.following(node)),
                    .int64(Int64(graph.mutedBy[index])), computedAt,
                ]
            }
            return try database.swapRows(of: WorkerResultTables.followerCounts, with: rows)
        }
    }
}
