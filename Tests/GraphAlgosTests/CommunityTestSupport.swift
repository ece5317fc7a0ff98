import GraphAlgos

/// SplitMix64: a tiny seeded generator for the PageRank, modularity and Louvain tests.
struct LouvainTestRandom {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }

    /// Uniform in 0..<bound (a negligible modulo bias is fine for tests).
    mutating func below(_ bound: Int) -> Int { Int(next() % UInt64(bound)) }

    /// Uniform in [0, 1).
    mutating func unit() -> Double { Double(next() >> 11) / Double(1 << 53) }

    mutating func chance(_ probability: Double) -> Bool { unit() < probability }
}

/// Graph generators and partition helpers for the community tests.
enum CommunityTestGraphs {
    /// A planted-partition graph: `sizes.count` groups, each pair inside a group linked with probability `inside`,
    /// each pair across groups with probability `across`. Nodes are dealt to groups in a shuffled order. Returns the
    /// graph and the planted group of every node.
    static func plantedPartition(
        sizes: [Int], inside: Double, across: Double, seed: UInt64
    ) -> (graph: WeightedGraph, groups: [Int]) {
        var random = LouvainTestRandom(seed: seed)
        let nodeCount = sizes.reduce(0, +)
        var groups: [Int] = []
        for (group, size) in sizes.enumerated() { groups += Array(repeating: group, count: size) }
        for index in stride(from: nodeCount - 1, to: 0, by: -1) { groups.swapAt(index, random.below(index + 1)) }
        var edges: [(UInt32, UInt32, UInt32)] = []
        for u in 0..<nodeCount {
            for v in (u + 1)..<nodeCount where random.chance(groups[u] == groups[v] ? inside : across) {
                edges.append((UInt32(u), UInt32(v), 1))
            }
        }
        return (WeightedGraph(nodeCount: nodeCount, edges: edges), groups)
    }

    /// `cliqueCount` cliques of `cliqueSize` nodes (clique c holds nodes c·size ..< (c+1)·size), clique c's last node
    /// linked to clique c+1's first, around a ring.
    static func ringOfCliques(cliqueCount: Int, cliqueSize: Int) -> WeightedGraph {
        var edges: [(UInt32, UInt32, UInt32)] = []
        for clique in 0..<cliqueCount {
            let first = clique * cliqueSize
            for u in first..<(first + cliqueSize) {
                for v in (u + 1)..<(first + cliqueSize) { edges.append((UInt32(u), UInt32(v), 1)) }
            }
            let nextFirst = ((clique + 1) % cliqueCount) * cliqueSize
            edges.append((UInt32(first + cliqueSize - 1), UInt32(nextFirst), 1))
        }
        return WeightedGraph(nodeCount: cliqueCount * cliqueSize, edges: edges)
    }

    /// A random weighted graph with some isolated nodes, self-loops and repeated pairs.
    static func randomWeighted(seed: UInt64, nodeCount: Int, edgeCount: Int, maxWeight: Int = 3) -> WeightedGraph {
        var random = LouvainTestRandom(seed: seed)
        // The last quarter of the nodes gets no edges.
        let connected = max(1, nodeCount - nodeCount / 4)
        var edges: [(UInt32, UInt32, UInt32)] = []
        for _ in 0..<edgeCount {
            edges.append(
                (UInt32(random.below(connected)), UInt32(random.below(connected)), UInt32(1 + random.below(maxWeight))))
        }
        return WeightedGraph(nodeCount: nodeCount, edges: edges)
    }

    /// Whether two labellings group the nodes identically (up to renaming the labels).
    static func samePartition<A: Hashable, B: Hashable>(_ first: [A], _ second: [B]) -> Bool {
        guard first.count == second.count else { return false }
        var forward: [A: B] = [:]
        var backward: [B: A] = [:]
        for (a, b) in zip(first, second) {
            if let mapped = forward[a], mapped != b { return false }
            if let mapped = backward[b], mapped != a { return false }
            forward[a] = b
            backward[b] = a
        }
        return true
    }

    /// Modularity straight from the definition, Q = (1/2m) Σ_ij (A_ij − k_i k_j / 2m) δ(c_i, c_j), over a dense
    /// adjacency matrix with A_ii = twice the self-loop weight.
    static func bruteForceModularity(_ partition: [UInt32], in graph: WeightedGraph) -> Double {
        let count = graph.nodeCount
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: count), count: count)
        for node in 0..<count {
            matrix[node][node] = 2 * Double(graph.selfLoopWeight(of: UInt32(node)))
            for (other, weight) in graph.neighbours(of: UInt32(node)) { matrix[node][Int(other)] = Double(weight) }
        }
        let degrees = matrix.map { $0.reduce(0, +) }
        let twiceTotal = degrees.reduce(0, +)
        guard twiceTotal > 0 else { return 0 }
        var sum = 0.0
        for i in 0..<count {
            for j in 0..<count where partition[i] == partition[j] {
                sum += matrix[i][j] - degrees[i] * degrees[j] / twiceTotal
            }
        }
        return sum / twiceTotal
    }

    /// The modularity of the partition into singletons.
    static func singletonModularity(_ graph: WeightedGraph) -> Double {
        Modularity.of((0..<UInt32(graph.nodeCount)).map { $0 }, in: graph)
    }
}
