/// Threshold trust propagation: starting from seeds, a node becomes trusted once at least
/// `threshold` trusted nodes have an edge to it (u -> v means "u vouches for v", e.g. follows).
///
/// Rounds are synchronous, like breadth-first search levels: round `r` admits every untrusted
/// node with at least `threshold` predecessors trusted by the end of round `r - 1` (the seeds
/// form round 0). A node's edge to itself never counts. Trust only grows, so the result does not
/// depend on the order of seeds or edges. O(V + E) time overall.
public struct TrustPropagation: Sendable {
    /// Trusted predecessors a node needs to be admitted; at least 1.
    public var threshold: Int
    /// The last round that may admit nodes (0 trusts only the seeds); `nil` runs until a round
    /// admits nobody.
    public var maxRounds: Int?

    /// A propagation needing `threshold` (>= 1) trusted predecessors, stopping after `maxRounds`
    /// rounds (>= 0) if given.
    public init(threshold: Int, maxRounds: Int? = nil) {
        precondition(threshold >= 1, "trust threshold must be at least 1, got \(threshold)")
        precondition((maxRounds ?? 0) >= 0, "maxRounds must not be negative, got \(maxRounds ?? 0)")
        self.threshold = threshold
        self.maxRounds = maxRounds
    }

    /// Propagates trust over `graph` from `seeds` (duplicates are fine; each must be a node of
    /// `graph`).
    public func run(on graph: DirectedGraph, seeds: [UInt32]) -> TrustResult {
        precondition(threshold >= 1, "trust threshold must be at least 1, got \(threshold)")
        precondition((maxRounds ?? 0) >= 0, "maxRounds must not be negative, got \(maxRounds ?? 0)")
        let nodeCount = graph.nodeCount
        precondition(nodeCount <= Int(UInt32.max), "TrustPropagation handles at most 2^32 - 1 nodes")
        for seed in seeds {
            precondition(Int(seed) < nodeCount, "seed \(seed) outside 0..<\(nodeCount)")
        }
        // No node has more than UInt32.max predecessors, so a larger threshold admits nobody.
        let needed = UInt32(clamping: threshold)
        let lastRound = maxRounds ?? Int.max
        var round = [Int32](repeating: -1, count: nodeCount)
        var followers = [UInt32](repeating: 0, count: nodeCount)
        // Trusted nodes in order of admission; each round is a contiguous run.
        var admitted = [UInt32](repeating: 0, count: nodeCount)
        var admittedCount = 0
        var rounds = 0
        graph.outOffsets.withUnsafeBufferPointer { offsets in
            graph.outTargets.withUnsafeBufferPointer { targets in
                round.withUnsafeMutableBufferPointer { round in
                    followers.withUnsafeMutableBufferPointer { followers in
                        admitted.withUnsafeMutableBufferPointer { admitted in
                            for seed in seeds where round[Int(seed)] < 0 {
                                round[Int(seed)] = 0
                                admitted[admittedCount] = seed
                                admittedCount += 1
                            }
                            // `admitted[frontierStart..<frontierEnd]`: admitted in round
                            // `rounds`, their out-edges not yet counted.
                            var frontierStart = 0
                            var frontierEnd = admittedCount
                            while frontierStart < frontierEnd {
                                // Past the last round, still count the edges (for `followers`)
                                // but admit nobody.
                                let admitting = rounds < lastRound
                                let nextRound = Int32(truncatingIfNeeded: rounds + 1)
                                for position in frontierStart..<frontierEnd {
                                    let node = admitted[position]
                                    for edge in offsets[Int(node)]..<offsets[Int(node) + 1] {
                                        let target = Int(targets[edge])
                                        if target == Int(node) { continue }
                                        followers[target] += 1
                                        if admitting, followers[target] == needed, round[target] < 0 {
                                            round[target] = nextRound
                                            admitted[admittedCount] = UInt32(target)
                                            admittedCount += 1
                                        }
                                    }
                                }
                                frontierStart = frontierEnd
                                frontierEnd = admittedCount
                                if frontierStart < frontierEnd { rounds += 1 }
                            }
                        }
                    }
                }
            }
        }
        return TrustResult(round: round, trustedFollowers: followers, rounds: rounds, trustedCount: admittedCount)
    }
}

/// The outcome of a ``TrustPropagation`` run.
public struct TrustResult: Sendable, Equatable {
    /// Per node: 0 for seeds, `r >= 1` for the round that admitted it, -1 if it is not trusted.
    public let round: [Int32]
    /// Per node: how many of its predecessors are trusted in the final trusted set (a self-loop
    /// does not count), whether or not the node itself is trusted.
    public let trustedFollowers: [UInt32]
    /// Number of rounds after the seeds that admitted at least one node.
    public let rounds: Int
    /// Number of trusted nodes, seeds included.
    public let trustedCount: Int

    /// Whether `node` ended up trusted.
    public func isTrusted(_ node: UInt32) -> Bool { round[Int(node)] >= 0 }

    /// The trusted nodes, ascending.
    public var trustedNodes: [UInt32] {
        var nodes: [UInt32] = []
        nodes.reserveCapacity(trustedCount)
        for node in 0..<round.count where round[node] >= 0 { nodes.append(UInt32(node)) }
        return nodes
    }
}
