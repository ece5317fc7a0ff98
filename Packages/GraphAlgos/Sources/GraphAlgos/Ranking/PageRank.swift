/// PageRank by power iteration, pulling rank along in-edges.
///
/// An edge u -> v passes rank from u to v (u "endorses" v): each step, every node splits `damping` times its rank
/// evenly among its successors, and the rest — the `1 - damping` share of every node plus the whole rank of the
/// dangling nodes (out-degree 0) times `damping` — is handed out along the teleport vector. Self-loops are ordinary
/// edges: a node with a self-loop keeps a share of its own rank and is never dangling.
public struct PageRank: Sendable {
    /// The probability of following an edge rather than teleporting, in 0...1.
    public var damping: Double = 0.85
    /// Iteration stops once the L1 distance between two successive rank vectors is below this.
    public var tolerance: Double = 1e-9
    /// Iteration stops after this many steps even if it has not converged.
    public var maxIterations: Int = 100

    /// A configuration; see the properties.
    public init(damping: Double = 0.85, tolerance: Double = 1e-9, maxIterations: Int = 100) {
        self.damping = damping
        self.tolerance = tolerance
        self.maxIterations = maxIterations
    }

    /// The PageRank of every node of `graph`; the scores sum to 1.
    ///
    /// `personalization`: teleport (and dangling) mass goes only to these nodes, uniformly (duplicates ignored);
    /// nil or empty means uniformly over all nodes. Iteration starts from the teleport vector. An empty graph gives
    /// empty scores, converged after 0 iterations.
    public func run(on graph: DirectedGraph, personalization: [UInt32]? = nil) -> PageRankResult {
        precondition((0...1).contains(damping), "damping must be in 0...1")
        let count = graph.nodeCount
        guard count > 0 else { return PageRankResult(scores: [], iterations: 0, converged: true) }

        var teleport = [Double](repeating: 1 / Double(count), count: count)
        if let personalization, !personalization.isEmpty {
            var chosen = [Bool](repeating: false, count: count)
            var distinct = 0
            for node in personalization {
                precondition(Int(node) < count, "personalization names node \(node) outside 0..<\(count)")
                if !chosen[Int(node)] {
                    chosen[Int(node)] = true
                    distinct += 1
                }
            }
            let share = 1 / Double(distinct)
            for node in 0..<count { teleport[node] = chosen[node] ? share : 0 }
        }
        // 1 / out-degree, 0 for dangling nodes.
        var inverseDegree = [Double](repeating: 0, count: count)
        for node in 0..<count {
            let degree = graph.outOffsets[node + 1] - graph.outOffsets[node]
            if degree > 0 { inverseDegree[node] = 1 / Double(degree) }
        }

        var rank = teleport
        var nextRank = [Double](repeating: 0, count: count)
        // share[u] = rank[u] / outDegree(u): what u passes along each out-edge.
        var share = [Double](repeating: 0, count: count)
        var danglingRank = 0.0
        for node in 0..<count {
            share[node] = rank[node] * inverseDegree[node]
            if inverseDegree[node] == 0 { danglingRank += rank[node] }
        }

        var iterations = 0
        var converged = false
        let damping = damping
        while iterations < maxIterations && !converged {
            iterations += 1
            // Both the (1 - d) teleport share and d times the dangling rank follow the teleport vector.
            let teleportMass = (1 - damping) + damping * danglingRank
            var change = 0.0
            var nextDangling = 0.0
            graph.inOffsets.withUnsafeBufferPointer { inOffsets in
                graph.inSources.withUnsafeBufferPointer { inSources in
                    teleport.withUnsafeBufferPointer { teleport in
                        inverseDegree.withUnsafeBufferPointer { inverseDegree in
                            rank.withUnsafeBufferPointer { rank in
                                nextRank.withUnsafeMutableBufferPointer { nextRank in
                                    share.withUnsafeMutableBufferPointer { share in
                                        // Pull every new rank from the previous shares; only then replace the
                                        // shares, which later nodes of the first loop still read.
                                        for node in 0..<count {
                                            var pulled = 0.0
                                            for edge in inOffsets[node]..<inOffsets[node + 1] {
                                                pulled += share[Int(inSources[edge])]
                                            }
                                            let value = damping * pulled + teleportMass * teleport[node]
                                            change += abs(value - rank[node])
                                            nextRank[node] = value
                                        }
                                        for node in 0..<count {
                                            let value = nextRank[node]
                                            let inverse = inverseDegree[node]
                                            share[node] = value * inverse
                                            if inverse == 0 { nextDangling += value }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            swap(&rank, &nextRank)
            danglingRank = nextDangling
            converged = change < tolerance
        }
        // Remove the rounding drift of the sum.
        var total = 0.0
        for value in rank { total += value }
        if total > 0 {
            for node in 0..<count { rank[node] /= total }
        }
        return PageRankResult(scores: rank, iterations: iterations, converged: converged)
    }
}

/// The scores of a PageRank run and how the iteration ended.
public struct PageRankResult: Sendable {
    /// The score of every node, by index; they sum to 1 (empty for an empty graph).
    public let scores: [Double]
    /// How many power-iteration steps were taken.
    public let iterations: Int
    /// Whether the last step changed the scores by less than the tolerance (L1); false when `maxIterations` ran
    /// out first.
    public let converged: Bool

    /// A result as computed.
    init(scores: [Double], iterations: Int, converged: Bool) {
        self.scores = scores
        self.iterations = iterations
        self.converged = converged
    }

    /// Node indices sorted by score descending, ties by index ascending; at most `count` of them.
    public func top(_ count: Int) -> [UInt32] {
        let wanted = min(max(count, 0), scores.count)
        guard wanted > 0 else { return [] }
        let scores = scores
        func before(_ a: UInt32, _ b: UInt32) -> Bool {
            let scoreA = scores[Int(a)]
            let scoreB = scores[Int(b)]
            return scoreA != scoreB ? scoreA > scoreB : a < b
        }
        if wanted * 16 >= scores.count {
            var order = (0..<UInt32(scores.count)).map { $0 }
            order.sort(by: before)
            return Array(order.prefix(wanted))
        }
        // Few wanted out of many: keep the best `wanted` in a heap whose root is the worst of them.
        var heap: [UInt32] = []
        heap.reserveCapacity(wanted)
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let left = 2 * parent + 1
                guard left < heap.count else { return }
                var worst = left
                if left + 1 < heap.count, before(heap[worst], heap[left + 1]) { worst = left + 1 }
                guard before(heap[parent], heap[worst]) else { return }
                heap.swapAt(parent, worst)
                parent = worst
            }
        }
        for node in 0..<UInt32(scores.count) {
            if heap.count < wanted {
                heap.append(node)
                var child = heap.count - 1
                while child > 0 {
                    let parent = (child - 1) / 2
                    guard before(heap[parent], heap[child]) else { break }
                    heap.swapAt(parent, child)
                    child = parent
                }
            } else if before(node, heap[0]) {
                heap[0] = node
                siftDown(0)
            }
        }
        heap.sort(by: before)
        return heap
    }
}
