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
        let startedAt = pass.startedAt
        let detectedAt = PostgresValue.timestamp(startedAt)
        let edgeCount = graph.graph.edgeCount
        return JobOutput(details: details) { database in
            try database.deleteRows(of: WorkerResultTables.communityEdges)
            var written = try database.replaceRows(
                of: WorkerResultTables.communities,
                with: communities.enumerated().lazy.map { index, community -> [PostgresValue] in
                    let metrics = community.metrics
                    return [
                        .int(index), .int(metrics.size), .int(metrics.internalEdges), .int(metrics.externalEdges),
                        .double(metrics.internalDensity), .double(metrics.externalRatio), detectedAt,
                    ]
                })
            let memberRows = communities.enumerated().lazy.flatMap { index, community in
                community.members.enumerated().lazy.map { rank, member -> [PostgresValue] in
                    [.int(index), .string(member.hex), .int(member.followers), .int(rank + 1)]
                }
            }
            written += try database.swapRows(of: WorkerResultTables.communityMembers, with: memberRows)
            written += try database.appendRows(
                to: WorkerResultTables.communityEdges,
                edges.lazy.map { [.int($0.key >> 32), .int($0.key & 0xFFFF_FFFF), .int($0.value)] })
            try WorkerRecords.record(
                WorkerRecords.CommunityStatistics(
                    totalNodes: graph.nodeCount, totalEdges: edgeCount, communitiesFound: result.count,
                    communitiesKept: communities.count, modularity: result.modularity, levels: result.levels,
                    detectedAt: startedAt),
                in: database)
            return written + 1
        }
    }
}
