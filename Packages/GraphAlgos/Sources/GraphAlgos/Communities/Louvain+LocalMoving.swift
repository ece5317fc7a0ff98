/// What one level's local moving produced.
struct LocalMovingOutcome {
    /// The community of every node of the level's graph, numbered densely in order of first member.
    var community: [UInt32]
    /// How many communities.
    var communityCount: Int
    /// The modularity gained over the singleton partition of the level's graph.
    var gain: Double
}

extension Louvain {
    /// The local-moving phase on one level's graph, starting from singletons.
    ///
    /// Taking node i out of its community and putting it into community c changes modularity by
    /// (2 / 2m) · (k_i,c − Σtot_c · k_i / 2m) against the same for its own community, where k_i,c is the weight
    /// from i to c's other members and Σtot_c their degree sum. Scores are kept multiplied by 2m
    /// (k_i,c · 2m − Σtot_c · k_i), products of integers that doubles hold exactly on all but enormous graphs, so
    /// ties are real ties.
    ///
    /// Every sweep after the first visits only the nodes whose neighbourhood changed since their last visit (a
    /// neighbour moved to a community other than theirs): the pruning of Ozaki, Tezuka and Inaba (2016), as in
    /// Leiden's fast local moving. It skips nodes that found no improving move and whose neighbours' communities are
    /// unchanged, so it may miss a move made worthwhile only by a distant change to a community's degree sum, which
    /// the next level usually catches. Nodes are taken in the one shuffled `order` of the level, without allocation;
    /// moves are strictly improving, so the level ends above its singletons' modularity whenever any node moved.
    func moveNodes(in graph: WeightedGraph, random: inout SeededRandom) -> LocalMovingOutcome {
        let nodeCount = graph.nodeCount
        var community = [UInt32](repeating: 0, count: nodeCount)
        for node in 0..<nodeCount { community[node] = UInt32(node) }
        let twiceTotal = 2 * Double(graph.exactTotalWeight)
        guard twiceTotal > 0 else {
            return LocalMovingOutcome(community: community, communityCount: nodeCount, gain: 0)
        }

        // Only nodes with neighbours can move; the others stay singletons.
        var order: [UInt32] = []
        var degree = [Double](repeating: 0, count: nodeCount)
        for node in 0..<nodeCount {
            var sum = 2 * graph.selfWeights[node]
            for index in graph.offsets[node]..<graph.offsets[node + 1] { sum += UInt64(graph.weights[index]) }
            degree[node] = Double(sum)
            if graph.offsets[node + 1] > graph.offsets[node] { order.append(UInt32(node)) }
        }
        random.shuffle(&order)

        var communityDegree = degree
        var gain = 0.0
        // Weight from the node in hand to each neighbouring community other than its own; `touched` lists the
        // non-zero entries (weights are positive, so a zero entry is an untouched one) to reset them after.
        var linkWeight = [Double](repeating: 0, count: nodeCount)
        var touched = [UInt32](repeating: 0, count: nodeCount)
        var pending = [Bool](repeating: true, count: nodeCount)
        for _ in 0..<max(maxSweeps, 0) {
            let (scoreGain, moves) = graph.offsets.withUnsafeBufferPointer { offsets in
                graph.targets.withUnsafeBufferPointer { targets in
                    graph.weights.withUnsafeBufferPointer { weights in
                        degree.withUnsafeBufferPointer { degree in
                            order.withUnsafeBufferPointer { order in
                                community.withUnsafeMutableBufferPointer { community in
                                    communityDegree.withUnsafeMutableBufferPointer { communityDegree in
                                        linkWeight.withUnsafeMutableBufferPointer { linkWeight in
                                            touched.withUnsafeMutableBufferPointer { touched in
                                                pending.withUnsafeMutableBufferPointer { pending in
                                                    Self.sweep(
                                                        LevelRows(offsets: offsets, targets: targets, weights: weights),
                                                        degree: degree, order: order, twiceTotal: twiceTotal,
                                                        community: community, communityDegree: communityDegree,
                                                        linkWeight: linkWeight, touched: touched, pending: pending)
                                                }
                                            }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // ΔQ = 2 (score_new − score_old) / (2m)², scores being 2m times gains.
            let sweepGain = 2 * scoreGain / (twiceTotal * twiceTotal)
            gain += sweepGain
            if moves == 0 || sweepGain < minModularityGain { break }
        }

        // Number the communities densely in order of their first member.
        var number = [UInt32](repeating: UInt32.max, count: nodeCount)
        var communityCount = 0
        for node in 0..<nodeCount {
            let label = Int(community[node])
            if number[label] == UInt32.max {
                number[label] = UInt32(communityCount)
                communityCount += 1
            }
            community[node] = number[label]
        }
        return LocalMovingOutcome(community: community, communityCount: communityCount, gain: gain)
    }

    /// One sweep of local moving over the pending nodes of `order`; returns the summed score gain of the moves and
    /// how many there were.
    private static func sweep(
        _ rows: LevelRows, degree: UnsafeBufferPointer<Double>, order: UnsafeBufferPointer<UInt32>,
        twiceTotal: Double, community: UnsafeMutableBufferPointer<UInt32>,
        communityDegree: UnsafeMutableBufferPointer<Double>, linkWeight: UnsafeMutableBufferPointer<Double>,
        touched: UnsafeMutableBufferPointer<UInt32>, pending: UnsafeMutableBufferPointer<Bool>
    ) -> (scoreGain: Double, moves: Int) {
        var scoreGain = 0.0
        var moves = 0
        for node in order {
            let node = Int(node)
            guard pending[node] else { continue }
            pending[node] = false
            let current = community[node]
            let nodeDegree = degree[node]
            var currentLink = 0.0
            var touchedCount = 0
            for index in rows.offsets[node]..<rows.offsets[node + 1] {
                let target = community[Int(rows.targets[index])]
                let weight = Double(rows.weights[index])
                if target == current {
                    currentLink += weight
                } else {
                    if linkWeight[Int(target)] == 0 {
                        touched[touchedCount] = target
                        touchedCount += 1
                    }
                    linkWeight[Int(target)] += weight
                }
            }
            communityDegree[Int(current)] -= nodeDegree
            let stayScore = currentLink * twiceTotal - communityDegree[Int(current)] * nodeDegree
            var best = current
            var bestScore = stayScore
            for slot in 0..<touchedCount {
                let candidate = touched[slot]
                let score = linkWeight[Int(candidate)] * twiceTotal - communityDegree[Int(candidate)] * nodeDegree
                // Strictly better, or as good as the best other community (never as good as staying) and lower.
                if score > bestScore || (score == bestScore && best != current && candidate < best) {
                    best = candidate
                    bestScore = score
                }
                linkWeight[Int(candidate)] = 0
            }
            communityDegree[Int(best)] += nodeDegree
            if best != current {
                community[node] = best
                moves += 1
                scoreGain += bestScore - stayScore
                // Neighbours outside the new community see their surroundings change: visit them again.
                for index in rows.offsets[node]..<rows.offsets[node + 1] {
                    let neighbour = Int(rows.targets[index])
                    if community[neighbour] != best { pending[neighbour] = true }
                }
            }
        }
        return (scoreGain, moves)
    }
}

/// Borrowed views of a `WeightedGraph`'s rows.
struct LevelRows {
    let offsets: UnsafeBufferPointer<Int>
    let targets: UnsafeBufferPointer<UInt32>
    let weights: UnsafeBufferPointer<UInt32>
}
