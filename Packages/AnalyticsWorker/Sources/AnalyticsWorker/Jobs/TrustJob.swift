import GraphAlgos
import PGAnalytics

/// `pubkey_rankings` and `trusted_pubkeys`: PageRank for everyone, then the trusted set grown from
/// the seeds by threshold propagation.
///
/// Seeds are `analytics.trust_seeds` when set; otherwise the relay's own pubkey plus the
/// `analytics.trust_seed_top_pagerank` pubkeys of highest PageRank. A pubkey joins once at least
/// `analytics.trust_threshold` trusted pubkeys follow it, round after round until none joins.
struct TrustJob: AnalyticsJob {
    let name = "trust"

    func compute(_ pass: inout AnalyticsPass, database: PostgresConnection) throws -> JobOutput {
        let graph = pass.graph
        let configuration = pass.configuration
        let pageRank = PageRank().run(on: graph.graph)
        let order = pageRank.top(graph.nodeCount)
        var seeds: [UInt32] = []
        var unknownSeeds = 0
        if configuration.trustSeeds.isEmpty {
            if let relay = graph.node(hex: pass.relayPubkey), Int(relay) < graph.nodeCount { seeds.append(relay) }
            seeds += order.prefix(configuration.trustSeedTopPageRank)
        } else {
            for hex in configuration.trustSeeds {
                if let node = graph.node(hex: hex), Int(node) < graph.nodeCount {
                    seeds.append(node)
                } else {
                    unknownSeeds += 1
                }
            }
        }
        let trust = TrustPropagation(threshold: configuration.trustThreshold).run(on: graph.graph, seeds: seeds)
        pass.pageRank = pageRank
        pass.trust = trust
        var rank = [UInt32](repeating: 0, count: graph.nodeCount)
        for (position, node) in order.enumerated() { rank[Int(node)] = UInt32(position + 1) }
        let seedCount = trust.round.lazy.filter { $0 == 0 }.count
        let details =
            "pubkeys=\(graph.nodeCount) pagerank_iterations=\(pageRank.iterations) converged=\(pageRank.converged) "
            + "seeds=\(seedCount) unknown_seeds=\(unknownSeeds) threshold=\(configuration.trustThreshold) "
            + "trusted=\(trust.trustedCount) rounds=\(trust.rounds)"
        let computedAt = PostgresValue.timestamp(pass.startedAt)
        return JobOutput(details: details) { database in
            let rankings = (0..<graph.nodeCount).lazy.map { index -> [PostgresValue] in
                [
                    .string(graph.hex(UInt32(index))), .double(pageRank.scores[index]), .int64(Int64(rank[index])),
                    .int64(Int64(trust.trustedFollowers[index])), computedAt,
                ]
            }
            var written = try database.swapRows(of: WorkerResultTables.pubkeyRankings, with: rankings)
            let trusted = trust.trustedNodes.lazy.map { node -> [PostgresValue] in
                let round = trust.round[Int(node)]
                return [
                    .string(graph.hex(node)), .string(round == 0 ? "seed" : "propagated"), .int64(Int64(round)),
                    .int64(Int64(trust.trustedFollowers[Int(node)])), computedAt,
                ]
            }
            written += try database.swapRows(of: WorkerResultTables.trustedPubkeys, with: trusted)
            return written
        }
    }
}
