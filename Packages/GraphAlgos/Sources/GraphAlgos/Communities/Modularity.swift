/// Newman's modularity of a partition of a `WeightedGraph`.
public enum Modularity {
    /// Q = (1 / 2m) · Σ_ij (A_ij − k_i k_j / 2m) · δ(c_i, c_j), computed as Σ_c [in_c / 2m − (tot_c / 2m)²], where
    /// in_c sums A_ij over ordered pairs inside community c (a self-loop of weight w counting A_ii = 2w) and tot_c
    /// sums the weighted degrees of its members. `partition[i]` is node i's community label; labels are arbitrary
    /// values, only equality matters. One label per node. 0 for a graph without edges.
    public static func of(_ partition: [UInt32], in graph: WeightedGraph) -> Double {
        precondition(partition.count == graph.nodeCount, "one community label per node")
        guard graph.exactTotalWeight > 0 else { return 0 }
        let labels = denseLabels(partition)
        var communityCount = 0
        for label in labels { communityCount = max(communityCount, Int(label) + 1) }
        var internalWeight: UInt64 = 0
        var degreeSums = [UInt64](repeating: 0, count: communityCount)
        labels.withUnsafeBufferPointer { labels in
            graph.offsets.withUnsafeBufferPointer { offsets in
                graph.targets.withUnsafeBufferPointer { targets in
                    graph.weights.withUnsafeBufferPointer { weights in
                        for node in 0..<graph.nodeCount {
                            let community = labels[node]
                            let selfWeight = 2 * graph.selfWeights[node]
                            var degree = selfWeight
                            internalWeight += selfWeight
                            for index in offsets[node]..<offsets[node + 1] {
                                let weight = UInt64(weights[index])
                                degree += weight
                                if labels[Int(targets[index])] == community { internalWeight += weight }
                            }
                            degreeSums[Int(community)] += degree
                        }
                    }
                }
            }
        }
        let twiceTotal = 2 * Double(graph.exactTotalWeight)
        var expected = 0.0
        for sum in degreeSums {
            let fraction = Double(sum) / twiceTotal
            expected += fraction * fraction
        }
        return Double(internalWeight) / twiceTotal - expected
    }

    /// The labels renumbered densely when they are sparse (large values), else as they are.
    private static func denseLabels(_ partition: [UInt32]) -> [UInt32] {
        var largest: UInt32 = 0
        for label in partition { largest = max(largest, label) }
        if Int(largest) <= 2 * partition.count + 64 { return partition }
        var numbering: [UInt32: UInt32] = [:]
        return partition.map { label in
            if let number = numbering[label] { return number }
            let number = UInt32(numbering.count)
            numbering[label] = number
            return number
        }
    }
}
