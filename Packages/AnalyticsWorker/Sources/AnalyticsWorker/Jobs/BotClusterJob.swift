import GraphAlgos
import PGAnalytics

/// `bot_clusters` and `bot_cluster_members`: strongly connected components of at least
/// `analytics.bot_clusters.min_size` pubkeys whose members follow each other densely (internal
/// density at least `min_density`) and follow few outsiders (edges leaving per edge inside at most
/// `max_external_ratio`).
struct BotClusterJob: AnalyticsJob {
    let name = "bot_clusters"

    func compute(_ pass: inout AnalyticsPass, database: PostgresConnection) throws -> JobOutput {
        let graph = pass.graph
        let configuration = pass.configuration
        let components = StronglyConnectedComponents.compute(graph.graph)
        let metrics = ClusterMetrics.forComponents(components, in: graph.graph)
        let largest = metrics.lazy.map(\.size).max() ?? 0
        var keptIndex = [Int32](repeating: -1, count: components.count)
        var kept: [(members: [UInt32], metrics: ClusterMetrics)] = []
        var bigEnough = 0
        for (component, metric) in metrics.enumerated() where metric.size >= configuration.botClusterMinSize {
            bigEnough += 1
            guard metric.internalDensity >= configuration.botClusterMinDensity,
                metric.externalRatio <= configuration.botClusterMaxExternalRatio
            else { continue }
            keptIndex[component] = Int32(kept.count)
            kept.append(([], metric))
        }
        for (node, component) in components.componentOf.enumerated() where keptIndex[Int(component)] >= 0 {
            kept[Int(keptIndex[Int(component)])].members.append(UInt32(node))
        }
        // Numbered by size, then by smallest member pubkey, so ids do not depend on node order.
        let sorted = kept.map { cluster in
            (
                members: cluster.members.map { (node: $0, hex: graph.hex($0)) }.sorted { $0.hex < $1.hex },
                metrics: cluster.metrics
            )
        }
        let ordered = sorted.sorted {
            ($0.members.count, $1.members[0].hex) > ($1.members.count, $0.members[0].hex)
        }
        pass.botClusters = ordered.enumerated().map { index, cluster in
            BotCluster(id: index + 1, members: cluster.members.map(\.node), metrics: cluster.metrics)
        }
        let clusters = pass.botClusters
        let trusted = pass.trust
        let memberCount = clusters.reduce(0) { $0 + $1.members.count }
        let details =
            "sccs=\(components.count) largest_scc=\(largest) sccs_of_min_size=\(bigEnough) "
            + "clusters=\(clusters.count) members=\(memberCount)"
        let detectedAt = PostgresValue.timestamp(pass.startedAt)
        return JobOutput(details: details) { database in
            try database.deleteRows(of: WorkerResultTables.botClusterMembers)
            let clusterRows = clusters.lazy.map { cluster -> [PostgresValue] in
                let untrusted = cluster.members.lazy.filter { !(trusted?.isTrusted($0) ?? false) }.count
                return [
                    .int(cluster.id), .int(cluster.metrics.size), .int(cluster.metrics.internalEdges),
                    .int(cluster.metrics.externalEdges), .double(cluster.metrics.internalDensity),
                    .double(cluster.metrics.externalRatio), .int(untrusted), detectedAt,
                ]
            }
            var written = try database.replaceRows(of: WorkerResultTables.botClusters, with: clusterRows)
            let memberRows = clusters.lazy.flatMap { cluster in
                cluster.members.lazy.map { node -> [PostgresValue] in
                    [.int(cluster.id), .string(graph.hex(node)), .bool(trusted?.isTrusted(node) ?? false)]
                }
            }
            written += try database.appendRows(to: WorkerResultTables.botClusterMembers, memberRows)
            return written
        }
    }
}
