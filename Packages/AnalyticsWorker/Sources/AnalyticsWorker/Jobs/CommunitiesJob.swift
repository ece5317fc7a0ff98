import GraphAlgos
import PGAnalytics

/// `communities`, `community_members`, `community_edges` and `community_stats`: Louvain over the
/// undirected follow graph (a mutual follow weighs 2), the `analytics.communities.max_count`
/// largest communities of at least `min_size` members, each member ranked by followers, and the
/// follows between kept communities.
struct CommunitiesJob: AnalyticsJob {
    let name = "communities"

    /// One kept community.
    struct Community {
        var members: [(node: UInt32, followers: Int, hex: String)]
        var metrics: ClusterMetrics
    }

    func compute(_ pass: inout AnalyticsPass, database: PostgresConnection) throws -> JobOutput {
        let graph = pass.graph
        let configuration = pass.configuration
        let louvain = Louvain(seed: UInt64(bitPattern: Int64(configuration.communitiesSeed)))
        // The weighted copy is the job's biggest allocation: scoped so it is freed before writing.
        let result = louvain.run(on: WeightedGraph(symmetrizing: graph.graph))
        let kept = result.members()
            .prefix { $0.count >= configuration.communitiesMinSize }
            .prefix(configuration.communitiesMaxCount)
        var keptOf = [Int32](repeating: -1, count: graph.nodeCount)
        let communities = kept.enumerated().map { index, members in
            for node in members { keptOf[Int(node)] = Int32(index) }
            let ranked = members.map { (node: $0, followers: graph.followers($0), hex: graph.hex($0)) }
                .sorted { ($0.followers, $1.hex) > ($1.followers, $0.hex) }
            return Community(members: ranked, metrics: ClusterMetrics.of(members, in: graph.graph))
        }
        var weights: [Int: Int] = [:]
        graph.graph.forEachEdge { from, to in
            let a = keptOf[Int(from)]
            let b = keptOf[Int(to)]
            guard a >= 0, b >= 0, a != b else { return }
            weights[Int(min(a, b)) << 32 | Int(max(a, b)), default: 0] += 1
        }
        let edges = weights.sorted { $0.key < $1.key }
        let details =
            "nodes=\(graph.nodeCount) found=\(result.count) kept=\(communities.count) "
            + "largest=\(communities.first?.members.count ?? 0) modularity=\(result.modularity) "
            + "levels=\(result.levels) edges_between=\(edges.count)"
        let detectedAt = PostgresValue.timestamp(pass.startedAt)
        let edgeCount = graph.graph.edgeCount
        return JobOutput(details: details) { database in
            try database.execute("DELETE FROM community_edges")
            var written = try ResultTable.replace(
                "communities",
                columns: [
                    "community_id", "size", "internal_edges", "external_edges", "internal_density", "external_ratio",
                    "detected_at",
                ],
                rows: communities.enumerated().lazy.map { index, community -> [PostgresValue] in
                    let metrics = community.metrics
                    return [
                        .int(index), .int(metrics.size), .int(metrics.internalEdges), .int(metrics.externalEdges),
                        .double(metrics.internalDensity), .double(metrics.externalRatio), detectedAt,
                    ]
                }, in: database)
            let memberRows = communities.enumerated().lazy.flatMap { index, community in
                community.members.enumerated().lazy.map { rank, member -> [PostgresValue] in
                    [.int(index), .string(member.hex), .int(member.followers), .int(rank + 1)]
                }
            }
            written += try ResultTable.swap(
                "community_members", columns: ["community_id", "pubkey", "followers", "member_rank"],
                rows: memberRows, in: database)
            written += try database.copyIn(
                "COPY community_edges (from_community, to_community, weight) FROM STDIN",
                rows: edges.lazy.map { [.int($0.key >> 32), .int($0.key & 0xFFFF_FFFF), .int($0.value)] })
            try database.execute(
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
                    .int(graph.nodeCount), .int(edgeCount), .int(result.count), .int(communities.count),
                    .double(result.modularity), .int(result.levels), detectedAt,
                ])
            return written + 1
        }
    }
}
