extension Louvain {
    /// The community graph: one node per community of `graph`; between two communities an edge weighing the sum of
    /// the edges between their members; on each a self-loop weighing its members' self-loops plus the edges among
    /// them (each once). Degrees, the total weight and therefore the modularity of any coarser partition carry over
    /// unchanged.
    static func aggregate(_ graph: WeightedGraph, community: [UInt32], communityCount: Int) -> WeightedGraph {
        let nodeCount = graph.nodeCount
        // Members of each community, grouped by a counting sort.
        var memberOffsets = [Int](repeating: 0, count: communityCount + 1)
        for label in community { memberOffsets[Int(label) + 1] += 1 }
        for label in 0..<communityCount { memberOffsets[label + 1] += memberOffsets[label] }
        var next = memberOffsets
        var members = [UInt32](repeating: 0, count: nodeCount)
        for node in 0..<nodeCount {
            let label = Int(community[node])
            members[next[label]] = UInt32(node)
            next[label] += 1
        }

        var offsets = [Int](repeating: 0, count: communityCount + 1)
        var targets: [UInt32] = []
        var weights: [UInt32] = []
        var selfWeights = [UInt64](repeating: 0, count: communityCount)
        var linkWeight = [UInt64](repeating: 0, count: communityCount)
        var touched: [UInt32] = []
        graph.offsets.withUnsafeBufferPointer { rowOffsets in
            graph.targets.withUnsafeBufferPointer { rowTargets in
                graph.weights.withUnsafeBufferPointer { rowWeights in
                    community.withUnsafeBufferPointer { community in
                        linkWeight.withUnsafeMutableBufferPointer { linkWeight in
                            for label in 0..<communityCount {
                                var inside: UInt64 = 0
                                var selfWeight: UInt64 = 0
                                touched.removeAll(keepingCapacity: true)
                                for slot in memberOffsets[label]..<memberOffsets[label + 1] {
                                    let member = Int(members[slot])
                                    selfWeight += graph.selfWeights[member]
                                    for index in rowOffsets[member]..<rowOffsets[member + 1] {
                                        let other = community[Int(rowTargets[index])]
                                        let weight = UInt64(rowWeights[index])
                                        if Int(other) == label {
                                            inside += weight
                                        } else {
                                            if linkWeight[Int(other)] == 0 { touched.append(other) }
                                            linkWeight[Int(other)] += weight
                                        }
                                    }
                                }
                                touched.sort()
                                for other in touched {
                                    targets.append(other)
                                    weights.append(UInt32(linkWeight[Int(other)]))
                                    linkWeight[Int(other)] = 0
                                }
                                // Every edge among the members was met from both ends.
                                selfWeights[label] = selfWeight + inside / 2
                                offsets[label + 1] = targets.count
                            }
                        }
                    }
                }
            }
        }
        return WeightedGraph(
            nodeCount: communityCount, offsets: offsets, targets: targets, weights: weights,
            selfWeights: selfWeights, totalWeight: graph.exactTotalWeight)
    }
}
