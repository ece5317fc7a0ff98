import GraphAlgos
import Testing

@Suite struct PageRankTests {
    /// Tight settings, so that the iteration matches exact answers to well below the comparison tolerance.
    let precise = PageRank(tolerance: 1e-14, maxIterations: 10_000)

    @Test func aTwoCycleSharesTheRankEqually() {
        let result = PageRank().run(on: DirectedGraph(edges: [(0, 1), (1, 0)]))
        #expect(result.scores == [0.5, 0.5])
        #expect(result.converged)
        #expect(result.iterations == 1)
    }

    @Test func aStarOfEndorsersFavoursItsDanglingCentre() {
        // Leaves 1...4 each point at 0, which points nowhere: its rank is spread uniformly. With d = 0.85,
        // c = 0.03 + 0.85·(4ℓ + c/5) and ℓ = 0.03 + 0.17·c give c = 11/21 and ℓ = 5/42.
        let graph = DirectedGraph(edges: [(1, 0), (2, 0), (3, 0), (4, 0)])
        let result = precise.run(on: graph)
        #expect(result.converged)
        #expect(abs(result.scores[0] - 11.0 / 21.0) < 1e-12)
        for leaf in 1...4 { #expect(abs(result.scores[leaf] - 5.0 / 42.0) < 1e-12) }
        #expect(result.top(2) == [0, 1])
    }

    @Test func aSelfLoopIsAnOrdinaryEdge() {
        // 0 -> 0 and 0 -> 1; 1 dangling. r0 = 0.075 + 0.425·r0 + 0.425·r1, r1 = 0.075 + 0.425·r0 + 0.425·r1:
        // the two are equal, 0.5 each. Were the self-loop ignored (0 -> 1 only), 0 would get less than 1.
        let result = precise.run(on: DirectedGraph(edges: [(0, 0), (0, 1)]))
        #expect(abs(result.scores[0] - 0.5) < 1e-12)
        #expect(abs(result.scores[1] - 0.5) < 1e-12)
    }

    @Test func matchesADirectLinearSolveOnRandomGraphs() {
        var random = LouvainTestRandom(seed: 7)
        for round in 0..<20 {
            let nodeCount = 2 + random.below(14)
            var edges: [(UInt32, UInt32)] = []
            // About a fifth of the nodes stay dangling; self-loops are allowed.
            for from in 0..<nodeCount where random.below(5) != 0 {
                for to in 0..<nodeCount where random.chance(0.3) { edges.append((UInt32(from), UInt32(to))) }
            }
            let graph = DirectedGraph(nodeCount: nodeCount, edges: edges)
            var personalization: [UInt32]? = nil
            if round % 2 == 1 {
                personalization = (0..<(1 + random.below(4))).map { _ in UInt32(random.below(nodeCount)) }
            }
            let damping = [0.85, 0.5, 0.99][round % 3]
            let pageRank = PageRank(damping: damping, tolerance: 1e-14, maxIterations: 100_000)
            let result = pageRank.run(on: graph, personalization: personalization)
            let expected = Self.solve(graph, damping: damping, personalization: personalization)
            #expect(result.converged)
            #expect(abs(result.scores.reduce(0, +) - 1) < 1e-9)
            for node in 0..<nodeCount {
                #expect(abs(result.scores[node] - expected[node]) < 1e-9, "round \(round), node \(node)")
            }
        }
    }

    @Test func personalizationSendsTeleportsOnlyToItsNodesIgnoringDuplicates() {
        // 0 -> 1 -> 2 -> 0 plus an unreachable pair 3 -> 4.
        let graph = DirectedGraph(edges: [(0, 1), (1, 2), (2, 0), (3, 4)])
        let once = precise.run(on: graph, personalization: [0, 1])
        let repeated = precise.run(on: graph, personalization: [1, 0, 1, 1])
        #expect(once.scores == repeated.scores)
        #expect(once.scores[3] == 0)
        #expect(once.scores[4] == 0)
        #expect(abs(once.scores.reduce(0, +) - 1) < 1e-12)
        #expect(once.scores[1] > once.scores[2])
        // An empty list means uniform, like nil.
        #expect(precise.run(on: graph, personalization: []).scores == precise.run(on: graph).scores)
        #expect(precise.run(on: graph).scores[3] > 0)
    }

    @Test func danglingRankFollowsThePersonalization() {
        // 0 -> 1, 1 dangling, 2 isolated; teleports (and 1's rank) go to 0 only: r0 = 0.15 + 0.85·r1, r1 = 0.85·r0.
        let graph = DirectedGraph(nodeCount: 3, edges: [(0, 1)])
        let result = precise.run(on: graph, personalization: [0])
        let r0 = 0.15 / (1 - 0.85 * 0.85)
        #expect(abs(result.scores[0] - r0) < 1e-12)
        #expect(abs(result.scores[1] - 0.85 * r0) < 1e-12)
        #expect(result.scores[2] == 0)
    }

    @Test func reportsNonConvergenceWhenIterationsRunOut() {
        let graph = DirectedGraph(edges: [(0, 1), (1, 2), (2, 0), (0, 2), (3, 0)])
        let short = PageRank(maxIterations: 1).run(on: graph)
        #expect(short.iterations == 1)
        #expect(!short.converged)
        #expect(abs(short.scores.reduce(0, +) - 1) < 1e-12)
        let full = PageRank().run(on: graph)
        #expect(full.converged)
        #expect(full.iterations > 1 && full.iterations < 100)
    }

    @Test func anEmptyGraphHasNoScores() {
        let result = PageRank().run(on: DirectedGraph(edges: []))
        #expect(result.scores.isEmpty)
        #expect(result.top(3).isEmpty)
    }

    @Test func topOrdersByScoreThenIndex() {
        // 1, 2 and 4 (isolated) get nothing but teleports and tie, lowest; 0 gets 1's and 2's endorsements and hands
        // its whole rank to 3, which therefore outranks it.
        let graph = DirectedGraph(nodeCount: 5, edges: [(1, 0), (2, 0), (0, 3)])
        let result = precise.run(on: graph)
        #expect(result.scores[1] == result.scores[2])
        #expect(result.scores[1] == result.scores[4])
        #expect(result.top(10) == [3, 0, 1, 2, 4])
        #expect(result.top(2) == [3, 0])
        #expect(result.top(4) == [3, 0, 1, 2])
        #expect(result.top(0).isEmpty)
        #expect(result.top(-1).isEmpty)
    }

    @Test func topOfAFewAmongManyMatchesAFullSort() {
        var random = LouvainTestRandom(seed: 99)
        var edges: [(UInt32, UInt32)] = []
        for _ in 0..<3000 { edges.append((UInt32(random.below(1000)), UInt32(random.below(1000)))) }
        // Clones: 1001...1003 all endorse 1000 only and nobody endorses them, so they tie.
        for clone in UInt32(1001)...1003 { edges.append((clone, 1000)) }
        let result = PageRank().run(on: DirectedGraph(edges: edges))
        let scores = result.scores
        let sorted = (0..<UInt32(scores.count)).sorted { (a: UInt32, b: UInt32) -> Bool in
            let scoreA = scores[Int(a)]
            let scoreB = scores[Int(b)]
            return scoreA != scoreB ? scoreA > scoreB : a < b
        }
        for count in [1, 5, 40, 62, 63, 64, 500, 1004, 2000] {
            #expect(result.top(count) == Array(sorted.prefix(count)), "top(\(count))")
        }
    }

    /// Solves (I − d·M) r = (1 − d) v by Gaussian elimination with partial pivoting, where M is column-stochastic:
    /// M[v][u] = 1/outdeg(u) for each edge u -> v, and a dangling u's column is the teleport vector v.
    static func solve(_ graph: DirectedGraph, damping: Double, personalization: [UInt32]?) -> [Double] {
        let count = graph.nodeCount
        var teleport = [Double](repeating: 1 / Double(count), count: count)
        if let personalization, !personalization.isEmpty {
            let distinct = Set(personalization)
            teleport = (0..<count).map { distinct.contains(UInt32($0)) ? 1 / Double(distinct.count) : 0 }
        }
        var matrix = [[Double]](repeating: [Double](repeating: 0, count: count + 1), count: count)
        for row in 0..<count {
            matrix[row][row] = 1
            matrix[row][count] = (1 - damping) * teleport[row]
        }
        for from in 0..<count {
            let successors = graph.successors(of: UInt32(from))
            if successors.isEmpty {
                for row in 0..<count { matrix[row][from] -= damping * teleport[row] }
            } else {
                for to in successors { matrix[Int(to)][from] -= damping / Double(successors.count) }
            }
        }
        for column in 0..<count {
            let pivot = (column..<count).max { abs(matrix[$0][column]) < abs(matrix[$1][column]) }!
            matrix.swapAt(column, pivot)
            for row in 0..<count where row != column {
                let factor = matrix[row][column] / matrix[column][column]
                if factor == 0 { continue }
                for entry in column...count { matrix[row][entry] -= factor * matrix[column][entry] }
            }
        }
        return (0..<count).map { matrix[$0][count] / matrix[$0][$0] }
    }
}
