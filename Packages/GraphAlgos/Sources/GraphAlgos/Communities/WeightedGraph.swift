/// An undirected weighted graph in compressed sparse row form with integer weights, so that sums stay exact at
/// every level of Louvain aggregation.
///
/// Conventions (those of Blondel et al. and NetworkX):
/// - an edge {u, v} with u != v and weight w is stored in both rows (v in u's row and u in v's row, each with
///   weight w); it adds w to `totalWeight` and w to the weighted degree of each end;
/// - a self-loop {u, u} of weight w is kept beside the rows (`selfLoopWeight(of:)`, never in `neighbours(of:)`);
///   it adds w to `totalWeight`, 2w to `weightedDegree(of: u)` and counts as A_uu = 2w in modularity. This is what
///   makes a community collapsed into one node, whose self-loop carries the community's internal weight, keep its
///   modularity contribution.
///
/// Rows are sorted ascending and hold each neighbour once. The total weight of the edges between distinct nodes
/// must stay below 2^32, so that every sum formed by aggregation still fits a `UInt32` weight.
public struct WeightedGraph: Sendable {
    /// Nodes are `0..<nodeCount`.
    public let nodeCount: Int
    /// `offsets[v]..<offsets[v + 1]` indexes `targets` and `weights` for node `v`.
    let offsets: [Int]
    let targets: [UInt32]
    let weights: [UInt32]
    /// Self-loop weight per node (0 for none).
    let selfWeights: [UInt64]
    /// Sum of the edge weights, each undirected edge once, self-loops included.
    let exactTotalWeight: UInt64

    /// Each directed edge u -> v of `graph` with u != v adds weight 1 to the undirected edge {u, v}, so a mutual
    /// pair weighs 2 and a one-way edge 1. Self-loops are dropped. Built by merging each node's sorted successor
    /// and predecessor rows, without sorting.
    public init(symmetrizing graph: DirectedGraph) {
        let count = graph.nodeCount
        precondition(graph.edgeCount <= Int(UInt32.max), "at most 2^32 - 1 edges")
        var offsets = [Int](repeating: 0, count: count + 1)
        var pairWeight: UInt64 = 0
        graph.outOffsets.withUnsafeBufferPointer { outOffsets in
            graph.outTargets.withUnsafeBufferPointer { outTargets in
                graph.inOffsets.withUnsafeBufferPointer { inOffsets in
                    graph.inSources.withUnsafeBufferPointer { inSources in
                        for node in 0..<count {
                            var rowLength = 0
                            Self.mergeRows(
                                outTargets, outOffsets[node]..<outOffsets[node + 1],
                                inSources, inOffsets[node]..<inOffsets[node + 1], excluding: UInt32(node)
                            ) { _, weight in
                                rowLength += 1
                                pairWeight += UInt64(weight)
                            }
                            offsets[node + 1] = offsets[node] + rowLength
                        }
                    }
                }
            }
        }
        let entryCount = offsets[count]
        var targets = [UInt32](repeating: 0, count: entryCount)
        var weights = [UInt32](repeating: 0, count: entryCount)
        graph.outOffsets.withUnsafeBufferPointer { outOffsets in
            graph.outTargets.withUnsafeBufferPointer { outTargets in
                graph.inOffsets.withUnsafeBufferPointer { inOffsets in
                    graph.inSources.withUnsafeBufferPointer { inSources in
                        targets.withUnsafeMutableBufferPointer { targets in
                            weights.withUnsafeMutableBufferPointer { weights in
                                var write = 0
                                for node in 0..<count {
                                    Self.mergeRows(
                                        outTargets, outOffsets[node]..<outOffsets[node + 1],
                                        inSources, inOffsets[node]..<inOffsets[node + 1], excluding: UInt32(node)
                                    ) { neighbour, weight in
                                        targets[write] = neighbour
                                        weights[write] = weight
                                        write += 1
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        // Every pair was seen from both ends.
        self.init(
            nodeCount: count, offsets: offsets, targets: targets, weights: weights,
            selfWeights: [UInt64](repeating: 0, count: count), totalWeight: pairWeight / 2)
    }

    /// A graph from undirected weighted edges `(u, v, w)`, each undirected edge listed once (listing {u, v} as
    /// `(u, v, w)` or `(v, u, w)` is the same; listing it again adds the weights). A self-loop `(u, u, w)` adds w to
    /// the node's self-loop weight, with the conventions above: w to `totalWeight`, 2w to its weighted degree.
    /// Zero weights add nothing (a zero-weight pair does not make two nodes neighbours). Every node index must be
    /// below `nodeCount`.
    public init(nodeCount: Int, edges: [(UInt32, UInt32, UInt32)]) {
        precondition(nodeCount >= 0 && nodeCount <= Int(UInt32.max), "nodeCount must be in 0...2^32 - 1")
        var selfWeights = [UInt64](repeating: 0, count: nodeCount)
        var offsets = [Int](repeating: 0, count: nodeCount + 1)
        var pairWeight: UInt64 = 0
        for (from, to, weight) in edges {
            precondition(Int(from) < nodeCount && Int(to) < nodeCount, "edge names a node outside 0..<\(nodeCount)")
            guard weight > 0 else { continue }
            if from == to {
                selfWeights[Int(from)] += UInt64(weight)
            } else {
                offsets[Int(from) + 1] += 1
                offsets[Int(to) + 1] += 1
                pairWeight += UInt64(weight)
            }
        }
        precondition(pairWeight <= UInt64(UInt32.max), "the total weight between distinct nodes must be below 2^32")
        for node in 0..<nodeCount { offsets[node + 1] += offsets[node] }
        // Bucket the packed entries (neighbour << 32 | weight) by node, sort each row, then sum duplicates.
        var next = offsets
        var packed = [UInt64](repeating: 0, count: offsets[nodeCount])
        for (from, to, weight) in edges where from != to && weight > 0 {
            packed[next[Int(from)]] = UInt64(to) << 32 | UInt64(weight)
            next[Int(from)] += 1
            packed[next[Int(to)]] = UInt64(from) << 32 | UInt64(weight)
            next[Int(to)] += 1
        }
        var targets: [UInt32] = []
        var weights: [UInt32] = []
        targets.reserveCapacity(packed.count)
        weights.reserveCapacity(packed.count)
        var rowStart = 0
        for node in 0..<nodeCount {
            let rowEnd = offsets[node + 1]
            packed[rowStart..<rowEnd].sort()
            offsets[node] = targets.count
            for index in rowStart..<rowEnd {
                let neighbour = UInt32(truncatingIfNeeded: packed[index] >> 32)
                let weight = UInt32(truncatingIfNeeded: packed[index])
                if index > rowStart, targets.last == neighbour {
                    weights[weights.count - 1] += weight
                } else {
                    targets.append(neighbour)
                    weights.append(weight)
                }
            }
            rowStart = rowEnd
        }
        offsets[nodeCount] = targets.count
        self.init(
            nodeCount: nodeCount, offsets: offsets, targets: targets, weights: weights, selfWeights: selfWeights,
            totalWeight: pairWeight + selfWeights.reduce(0, +))
    }

    /// Adopts prepared rows (sorted, unique, symmetric, no self entries) and self-loop weights.
    init(
        nodeCount: Int, offsets: [Int], targets: [UInt32], weights: [UInt32], selfWeights: [UInt64],
        totalWeight: UInt64
    ) {
        self.nodeCount = nodeCount
        self.offsets = offsets
        self.targets = targets
        self.weights = weights
        self.selfWeights = selfWeights
        exactTotalWeight = totalWeight
    }

    /// m: the sum of the edge weights, each undirected edge once, self-loops included.
    public var totalWeight: Double { Double(exactTotalWeight) }

    /// k_i: the sum of the weights of the edges at `node`, its self-loop counted twice.
    public func weightedDegree(of node: UInt32) -> Double {
        var sum = 2 * selfWeights[Int(node)]
        for index in offsets[Int(node)]..<offsets[Int(node) + 1] { sum += UInt64(weights[index]) }
        return Double(sum)
    }

    /// The weight of the self-loop at `node` (0 for none), counted once.
    public func selfLoopWeight(of node: UInt32) -> UInt64 { selfWeights[Int(node)] }

    /// The other ends of the edges at `node`, ascending, with their weights; the self-loop is not listed.
    public func neighbours(of node: UInt32) -> [(node: UInt32, weight: UInt32)] {
        (offsets[Int(node)]..<offsets[Int(node) + 1]).map { (targets[$0], weights[$0]) }
    }

    /// Merges two sorted unique rows, skipping `excluded`, calling `body` once per distinct value with the number
    /// of rows holding it (1 or 2).
    @inline(__always)
    private static func mergeRows(
        _ first: UnsafeBufferPointer<UInt32>, _ firstRange: Range<Int>,
        _ second: UnsafeBufferPointer<UInt32>, _ secondRange: Range<Int>, excluding excluded: UInt32,
        _ body: (_ value: UInt32, _ count: UInt32) -> Void
    ) {
        var i = firstRange.lowerBound
        var j = secondRange.lowerBound
        while i < firstRange.upperBound || j < secondRange.upperBound {
            let value: UInt32
            let count: UInt32
            if j == secondRange.upperBound || (i < firstRange.upperBound && first[i] < second[j]) {
                value = first[i]
                count = 1
                i += 1
            } else if i == firstRange.upperBound || second[j] < first[i] {
                value = second[j]
                count = 1
                j += 1
            } else {
                value = first[i]
                count = 2
                i += 1
                j += 1
            }
            if value != excluded { body(value, count) }
        }
    }
}
