import GraphAlgos
import Testing

@Suite struct ClusterMetricsTests {
    /// 0 <-> 1, 1 -> 2, 2 -> 3, 3 -> 3, 0 -> 4, 4 -> 0.
    let graph = DirectedGraph(edges: [(0, 1), (1, 0), (1, 2), (2, 3), (3, 3), (0, 4), (4, 0)])

    @Test func handCluster() {
        let metrics = ClusterMetrics.of([0, 1, 2], in: graph)
        #expect(metrics.size == 3)
        #expect(metrics.internalEdges == 3)  // 0 -> 1, 1 -> 0, 1 -> 2
        #expect(metrics.externalEdges == 2)  // 2 -> 3, 0 -> 4 (4 -> 0 arrives, not counted)
        #expect(metrics.internalDensity == 0.5)
        #expect(metrics.externalRatio == 2.0 / 3.0)
        // Duplicates and order do not matter.
        #expect(ClusterMetrics.of([2, 1, 0, 1, 2], in: graph) == metrics)
    }

    @Test func clustersWithoutInternalEdges() {
        // Only a self-loop: nothing inside, nothing leaving.
        let loop = ClusterMetrics.of([3], in: graph)
        #expect(loop == ClusterMetrics(size: 1, internalEdges: 0, externalEdges: 0))
        #expect(loop.internalDensity == 0)
        #expect(loop.externalRatio == 0)
        // Two members, no edge between them, one edge leaving: ratio is infinite.
        let apart = ClusterMetrics.of([2, 4], in: graph)
        #expect(apart.size == 2)
        #expect(apart.internalEdges == 0)
        #expect(apart.externalEdges == 2)  // 2 -> 3, 4 -> 0
        #expect(apart.internalDensity == 0)
        #expect(apart.externalRatio == .infinity)
        let empty = ClusterMetrics.of([], in: graph)
        #expect(empty == ClusterMetrics(size: 0, internalEdges: 0, externalEdges: 0))
    }

    @Test func wholeGraphHasNoExternalEdges() {
        let metrics = ClusterMetrics.of([0, 1, 2, 3, 4], in: graph)
        #expect(metrics.internalEdges == 6)  // all 7 edges but the self-loop
        #expect(metrics.externalEdges == 0)
        #expect(metrics.internalDensity == 6.0 / 20.0)
        #expect(metrics.externalRatio == 0)
    }

    @Test func forComponentsOfAHandPartition() {
        let partition = ComponentAssignment(labels: [7, 7, 7, 5, 9])  // {0, 1, 2}, {3}, {4}
        let metrics = ClusterMetrics.forComponents(partition, in: graph)
        #expect(metrics == [
            ClusterMetrics(size: 3, internalEdges: 3, externalEdges: 2),
            ClusterMetrics(size: 1, internalEdges: 0, externalEdges: 0),
            ClusterMetrics(size: 1, internalEdges: 0, externalEdges: 1),
        ])
        #expect(metrics[2].externalRatio == .infinity)
    }

    @Test func ofMatchesPairwiseCountsOnRandomClusters() {
        var random = ComponentsTestRandom(seed: 0xC1)
        for graph in ComponentsTestGraphs.randomSuite(seed: 0xC2, count: 20) + [
            ComponentsTestGraphs.randomGraph(nodeCount: 400, density: 0.01, using: &random)
        ] {
            let nodeCount = graph.nodeCount
            // Small clusters (hash-set path on the large graph) and large ones (marker array).
            for clusterSize in [1, 2, 3, nodeCount / 2, nodeCount] {
                let members = (0..<clusterSize).map { _ in UInt32.random(in: 0..<UInt32(nodeCount), using: &random) }
                let distinct = Set(members)
                var internalEdges = 0
                var externalEdges = 0
                for from in distinct {
                    for to in 0..<UInt32(nodeCount) where to != from && graph.hasEdge(from: from, to: to) {
                        if distinct.contains(to) { internalEdges += 1 } else { externalEdges += 1 }
                    }
                }
                let metrics = ClusterMetrics.of(members, in: graph)
                #expect(metrics.size == distinct.count)
                #expect(metrics.internalEdges == internalEdges)
                #expect(metrics.externalEdges == externalEdges)
            }
        }
    }

    @Test func forComponentsAgreesWithOfOnRandomGraphs() {
        var random = ComponentsTestRandom(seed: 0xF0)
        var checkedInternal = 0
        for graph in ComponentsTestGraphs.randomSuite(seed: 0xF1, count: 30) {
            let randomLabels = (0..<graph.nodeCount).map { _ in UInt32.random(in: 0..<4, using: &random) }
            for assignment in [
                StronglyConnectedComponents.compute(graph),
                WeaklyConnectedComponents.compute(graph),
                ComponentAssignment(labels: randomLabels),
            ] {
                let all = ClusterMetrics.forComponents(assignment, in: graph)
                #expect(all.count == assignment.count)
                for (component, members) in assignment.members().enumerated() {
                    #expect(all[component] == ClusterMetrics.of(members, in: graph))
                    checkedInternal += all[component].internalEdges
                }
            }
        }
        #expect(checkedInternal > 0)
    }
}
