import GraphAlgos

/// SplitMix64: a small seeded generator so random tests are reproducible.
struct ComponentsTestRandom: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Random graphs and brute-force references for the component, metrics and trust tests.
enum ComponentsTestGraphs {
    /// A random graph on `nodeCount` nodes where each ordered pair (self-loops included) is an edge
    /// with probability `density`; some edges are listed twice.
    static func randomGraph(
        nodeCount: Int, density: Double, using random: inout ComponentsTestRandom
    ) -> DirectedGraph {
        var pairs: [(UInt32, UInt32)] = []
        for from in 0..<nodeCount {
            for to in 0..<nodeCount where Double.random(in: 0..<1, using: &random) < density {
                pairs.append((UInt32(from), UInt32(to)))
                if Double.random(in: 0..<1, using: &random) < 0.1 { pairs.append((UInt32(from), UInt32(to))) }
            }
        }
        pairs.shuffle(using: &random)
        return DirectedGraph(nodeCount: nodeCount, edges: pairs)
    }

    /// About 50 random graphs of 1...60 nodes with densities from very sparse to dense.
    static func randomSuite(seed: UInt64, count: Int = 50) -> [DirectedGraph] {
        var random = ComponentsTestRandom(seed: seed)
        let densities = [0.0, 0.01, 0.03, 0.06, 0.1, 0.2, 0.5, 0.9]
        return (0..<count).map { index in
            let nodeCount = Int.random(in: 1...60, using: &random)
            let density = densities[index % densities.count]
            return randomGraph(nodeCount: nodeCount, density: density, using: &random)
        }
    }

    /// The adjacency matrix of `graph`, built from `forEachEdge`.
    static func matrix(_ graph: DirectedGraph) -> [[Bool]] {
        var matrix = [[Bool]](repeating: [Bool](repeating: false, count: graph.nodeCount), count: graph.nodeCount)
        graph.forEachEdge { from, to in matrix[Int(from)][Int(to)] = true }
        return matrix
    }

    /// Renumbers `labels` (equal label = same component) by order of first appearance, i.e. by
    /// smallest member: the numbering the library promises.
    static func canonical(_ labels: [Int]) -> [UInt32] {
        var map: [Int: UInt32] = [:]
        return labels.map { label in
            if let number = map[label] { return number }
            let number = UInt32(map.count)
            map[label] = number
            return number
        }
    }

    /// Whether components are numbered by smallest member: scanning nodes upward, each new
    /// component number is exactly one more than the largest seen so far.
    static func followsNumberingRule(_ assignment: ComponentAssignment) -> Bool {
        var seen = 0
        for component in assignment.componentOf {
            if Int(component) > seen { return false }
            if Int(component) == seen { seen += 1 }
        }
        return seen == assignment.count
    }
}
