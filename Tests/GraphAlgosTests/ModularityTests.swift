import GraphAlgos
import Testing

@Suite struct WeightedGraphTests {
    @Test func symmetrizingWeighsMutualPairsTwiceAndDropsSelfLoops() {
        let graph = WeightedGraph(
            symmetrizing: DirectedGraph(nodeCount: 5, edges: [(0, 1), (1, 0), (1, 2), (2, 2), (3, 1)]))
        #expect(graph.nodeCount == 5)
        #expect(graph.neighbours(of: 0).map { [$0.node, $0.weight] } == [[1, 2]])
        #expect(graph.neighbours(of: 1).map { [$0.node, $0.weight] } == [[0, 2], [2, 1], [3, 1]])
        #expect(graph.neighbours(of: 2).map { [$0.node, $0.weight] } == [[1, 1]])
        #expect(graph.neighbours(of: 4).isEmpty)
        #expect(graph.selfLoopWeight(of: 2) == 0)
        #expect(graph.totalWeight == 4)
        #expect(graph.weightedDegree(of: 1) == 4)
        #expect(graph.weightedDegree(of: 4) == 0)
    }

    @Test func weightedEdgesAddUpAndSelfLoopsCountTwiceInTheDegree() {
        let graph = WeightedGraph(
            nodeCount: 5, edges: [(0, 1, 2), (1, 0, 3), (2, 2, 4), (1, 2, 1), (0, 3, 0), (2, 2, 1)])
        #expect(graph.neighbours(of: 0).map { [$0.node, $0.weight] } == [[1, 5]])
        #expect(graph.neighbours(of: 1).map { [$0.node, $0.weight] } == [[0, 5], [2, 1]])
        #expect(graph.neighbours(of: 2).map { [$0.node, $0.weight] } == [[1, 1]])
        // The zero-weight pair links nothing.
        #expect(graph.neighbours(of: 3).isEmpty)
        #expect(graph.selfLoopWeight(of: 2) == 5)
        #expect(graph.totalWeight == 11)
        #expect(graph.weightedDegree(of: 2) == 11)
        #expect(graph.weightedDegree(of: 0) == 5)
    }

    @Test func symmetrizingAgreesWithTheEdgeListConstruction() {
        var random = LouvainTestRandom(seed: 3)
        for _ in 0..<10 {
            let nodeCount = 1 + random.below(40)
            let pairs = (0..<random.below(200)).map { _ in
                (UInt32(random.below(nodeCount)), UInt32(random.below(nodeCount)))
            }
            let directed = DirectedGraph(nodeCount: nodeCount, edges: pairs)
            var weighted: [(UInt32, UInt32, UInt32)] = []
            directed.forEachEdge { from, to in if from != to { weighted.append((from, to, 1)) } }
            let expected = WeightedGraph(nodeCount: nodeCount, edges: weighted)
            let graph = WeightedGraph(symmetrizing: directed)
            #expect(graph.totalWeight == expected.totalWeight)
            for node in 0..<UInt32(nodeCount) {
                let rows = (graph.neighbours(of: node), expected.neighbours(of: node))
                #expect(rows.0.map { [$0.node, $0.weight] } == rows.1.map { [$0.node, $0.weight] })
                #expect(graph.weightedDegree(of: node) == expected.weightedDegree(of: node))
            }
        }
    }
}

@Suite struct ModularityTests {
    /// Two triangles {0, 1, 2} and {3, 4, 5} joined by the edge 2–3: m = 7.
    let twoTriangles = WeightedGraph(
        nodeCount: 6, edges: [(0, 1, 1), (1, 2, 1), (0, 2, 1), (3, 4, 1), (4, 5, 1), (3, 5, 1), (2, 3, 1)])

    @Test func twoTrianglesSplitByTriangle() {
        // Each triangle: 3 internal edges, degree sum 7; Q = 2 · (3/7 − (7/14)²) = 5/14.
        let q = Modularity.of([0, 0, 0, 1, 1, 1], in: twoTriangles)
        #expect(abs(q - 5.0 / 14.0) < 1e-15)
    }

    @Test func oneCommunityHasZeroModularity() {
        #expect(abs(Modularity.of([7, 7, 7, 7, 7, 7], in: twoTriangles)) < 1e-15)
    }

    @Test func singletonsScoreMinusTheSquaredDegreeShares() {
        // Degrees 2, 2, 3, 3, 2, 2 over 2m = 14: Q = −(4·4 + 2·9) / 196.
        let q = Modularity.of([0, 1, 2, 3, 4, 5], in: twoTriangles)
        #expect(abs(q - (-34.0 / 196.0)) < 1e-15)
    }

    @Test func labelsAreOnlyComparedForEquality() {
        let dense = Modularity.of([0, 0, 1, 1, 2, 2], in: twoTriangles)
        let sparse = Modularity.of([UInt32.max, UInt32.max, 5, 5, 1_000_000, 1_000_000], in: twoTriangles)
        #expect(dense == sparse)
        #expect(abs(dense - CommunityTestGraphs.bruteForceModularity([0, 0, 1, 1, 2, 2], in: twoTriangles)) < 1e-15)
    }

    @Test func anAggregatedGraphKeepsTheModularity() {
        // Each triangle collapsed into one node whose self-loop carries its 3 internal edges.
        let collapsed = WeightedGraph(nodeCount: 2, edges: [(0, 0, 3), (1, 1, 3), (0, 1, 1)])
        #expect(collapsed.totalWeight == twoTriangles.totalWeight)
        #expect(collapsed.weightedDegree(of: 0) == 7)
        #expect(abs(Modularity.of([0, 1], in: collapsed) - 5.0 / 14.0) < 1e-15)
        #expect(abs(Modularity.of([0, 0], in: collapsed)) < 1e-15)
    }

    @Test func matchesTheDefinitionOnRandomWeightedGraphs() {
        var random = LouvainTestRandom(seed: 11)
        for round in 0..<30 {
            let nodeCount = 1 + random.below(25)
            let graph = CommunityTestGraphs.randomWeighted(
                seed: UInt64(round), nodeCount: nodeCount, edgeCount: random.below(80), maxWeight: 5)
            let labels = (0..<nodeCount).map { _ in UInt32(random.below(4)) }
            let expected = CommunityTestGraphs.bruteForceModularity(labels, in: graph)
            #expect(abs(Modularity.of(labels, in: graph) - expected) < 1e-12, "round \(round)")
        }
    }

    @Test func aGraphWithoutEdgesHasZeroModularity() {
        #expect(Modularity.of([0, 1, 2], in: WeightedGraph(nodeCount: 3, edges: [])) == 0)
        #expect(Modularity.of([], in: WeightedGraph(nodeCount: 0, edges: [])) == 0)
    }
}
