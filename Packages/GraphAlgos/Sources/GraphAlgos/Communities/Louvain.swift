/// Louvain community detection (Blondel, Guillaume, Lambiotte, Lefebvre 2008): greedy modularity optimisation in
/// levels. Each level moves nodes one at a time to the neighbouring community with the best positive modularity
/// gain, sweeping until a sweep gains less than `minModularityGain`, then collapses every community into one node
/// (its internal weight becoming a self-loop) and starts again on that smaller graph, until a level brings no
/// improvement.
///
/// Deterministic: nodes are visited in a shuffled order drawn from `seed` (one order per level, kept for all its
/// sweeps), and ties between equally good moves keep the node where it is, else pick the lowest community id.
/// Nodes without edges to other nodes stay singletons. After the first sweep of a level, a sweep visits only the
/// nodes whose neighbours changed community since their last visit (Ozaki et al.'s pruning, the same idea as
/// Leiden's fast local moving): about twice as fast on large graphs, for practically the same modularity.
public struct Louvain: Sendable {
    /// Seed of the node visiting order: the same graph and seed give the same communities.
    public var seed: UInt64 = 0
    /// At most this many levels (local moving, then aggregation).
    public var maxLevels: Int = 20
    /// At most this many local-moving sweeps per level.
    public var maxSweeps: Int = 50
    /// A level's sweeps stop once a sweep gains less modularity than this, and the algorithm stops once a whole
    /// level gains less than this.
    public var minModularityGain: Double = 1e-7

    /// A configuration; see the properties.
    public init(seed: UInt64 = 0, maxLevels: Int = 20, maxSweeps: Int = 50, minModularityGain: Double = 1e-7) {
        self.seed = seed
        self.maxLevels = maxLevels
        self.maxSweeps = maxSweeps
        self.minModularityGain = minModularityGain
    }

    /// The communities of `graph`.
    public func run(on graph: WeightedGraph) -> LouvainResult {
        let nodeCount = graph.nodeCount
        // The node of the current level's graph that holds each original node.
        var assignment = [UInt32](repeating: 0, count: nodeCount)
        for node in 0..<nodeCount { assignment[node] = UInt32(node) }
        var random = SeededRandom(seed: seed)
        var current = graph
        var levels = 0
        while levels < maxLevels {
            let outcome = moveNodes(in: current, random: &random)
            // No move at all: the level's graph is already locally optimal.
            guard outcome.communityCount < current.nodeCount else { break }
            levels += 1
            for node in 0..<nodeCount { assignment[node] = outcome.community[Int(assignment[node])] }
            if outcome.gain < minModularityGain || levels == maxLevels { break }
            current = Self.aggregate(current, community: outcome.community, communityCount: outcome.communityCount)
        }
        return LouvainResult(assignment: assignment, in: graph, levels: levels)
    }
}

/// The communities found by `Louvain`.
public struct LouvainResult: Sendable {
    /// The community of every original node, numbered `0..<count` by decreasing size, ties by smallest member.
    public let community: [UInt32]
    /// How many communities.
    public let count: Int
    /// The modularity of `community` on the input graph, computed afresh by `Modularity.of`.
    public let modularity: Double
    /// How many levels merged nodes (each such level's communities became the next level's nodes).
    public let levels: Int

    /// Renumbers `assignment` (any dense-enough labels) as documented and measures its modularity.
    init(assignment: [UInt32], in graph: WeightedGraph, levels: Int) {
        let nodeCount = assignment.count
        var sizes = [Int](repeating: 0, count: nodeCount)
        var smallestMember = [Int](repeating: nodeCount, count: nodeCount)
        for node in 0..<nodeCount {
            let label = Int(assignment[node])
            sizes[label] += 1
            smallestMember[label] = min(smallestMember[label], node)
        }
        var labels = (0..<nodeCount).filter { sizes[$0] > 0 }
        labels.sort { sizes[$0] != sizes[$1] ? sizes[$0] > sizes[$1] : smallestMember[$0] < smallestMember[$1] }
        var number = [UInt32](repeating: 0, count: nodeCount)
        for (index, label) in labels.enumerated() { number[label] = UInt32(index) }
        community = assignment.map { number[Int($0)] }
        count = labels.count
        modularity = Modularity.of(community, in: graph)
        self.levels = levels
    }

    /// The members of every community, indexed by community number, each ascending.
    public func members() -> [[UInt32]] {
        var lists = [[UInt32]](repeating: [], count: count)
        for (node, label) in community.enumerated() { lists[Int(label)].append(UInt32(node)) }
        return lists
    }
}
