import GraphAlgos
import Testing

@Suite struct ComponentsTests {
    // MARK: Strongly connected components

    @Test func sccOfAHandGraph() {
        // {0, 1, 2} cycle -> {3, 4} cycle; 5 isolated; 6 only a self-loop; 7 -> 0.
        let graph = DirectedGraph(
            nodeCount: 8, edges: [(0, 1), (1, 2), (2, 0), (2, 3), (3, 4), (4, 3), (6, 6), (7, 0)])
        let scc = StronglyConnectedComponents.compute(graph)
        #expect(scc.componentOf == [0, 0, 0, 1, 1, 2, 3, 4])
        #expect(scc.count == 5)
        #expect(scc.sizes() == [3, 2, 1, 1, 1])
        #expect(scc.members() == [[0, 1, 2], [3, 4], [5], [6], [7]])
    }

    @Test func sccNumberingFollowsSmallestMemberNotCompletionOrder() {
        // Tarjan finishes {1, 2} before {0} and {3} before {1, 2}; numbering must still be by node.
        let graph = DirectedGraph(edges: [(0, 1), (1, 2), (2, 1), (2, 3), (4, 0)])
        let scc = StronglyConnectedComponents.compute(graph)
        #expect(scc.componentOf == [0, 1, 1, 2, 3])
        #expect(scc.count == 4)
    }

    @Test func emptyGraphHasNoComponents() {
        let graph = DirectedGraph(nodeCount: 0, edges: [])
        #expect(StronglyConnectedComponents.compute(graph).count == 0)
        #expect(WeaklyConnectedComponents.compute(graph).count == 0)
        #expect(StronglyConnectedComponents.compute(graph).members().isEmpty)
    }

    @Test func sccMatchesTransitiveClosureOnRandomGraphs() {
        let graphs = ComponentsTestGraphs.randomSuite(seed: 0x5CC)
        var sawNontrivial = false
        for graph in graphs {
            let nodeCount = graph.nodeCount
            // Floyd-Warshall closure; every node reaches itself.
            var reach = ComponentsTestGraphs.matrix(graph)
            for node in 0..<nodeCount { reach[node][node] = true }
            for middle in 0..<nodeCount {
                for from in 0..<nodeCount where reach[from][middle] {
                    for to in 0..<nodeCount where reach[middle][to] { reach[from][to] = true }
                }
            }
            // Label each node by the smallest node it is mutually reachable with.
            let labels = (0..<nodeCount).map { node in
                (0..<nodeCount).first { reach[node][$0] && reach[$0][node] }!
            }
            let expected = ComponentsTestGraphs.canonical(labels)
            let scc = StronglyConnectedComponents.compute(graph)
            #expect(scc.componentOf == expected, "graph with \(nodeCount) nodes, \(graph.edgeCount) edges")
            #expect(scc.count == Set(labels).count)
            #expect(ComponentsTestGraphs.followsNumberingRule(scc))
            #expect(scc.sizes().reduce(0, +) == nodeCount)
            if scc.count > 1 && scc.sizes().contains(where: { $0 > 1 }) { sawNontrivial = true }
        }
        // The suite must exercise graphs mixing cycles with acyclic parts.
        #expect(sawNontrivial)
    }

    @Test func deepCycleIsOneComponentWithoutRecursion() {
        let nodeCount = 2_000_000
        var edges = EdgeList(capacity: nodeCount)
        for node in 0..<nodeCount { edges.append(from: UInt32(node), to: UInt32((node + 1) % nodeCount)) }
        let graph = DirectedGraph(nodeCount: nodeCount, edges: edges)
        let scc = StronglyConnectedComponents.compute(graph)
        #expect(scc.count == 1)
        #expect(scc.componentOf.allSatisfy { $0 == 0 })
    }

    @Test func deepPathIsAllSingletons() {
        let nodeCount = 1_000_000
        var edges = EdgeList(capacity: nodeCount)
        for node in 1..<nodeCount { edges.append(from: UInt32(node - 1), to: UInt32(node)) }
        let graph = DirectedGraph(nodeCount: nodeCount, edges: edges)
        let scc = StronglyConnectedComponents.compute(graph)
        #expect(scc.count == nodeCount)
        #expect(scc.componentOf.enumerated().allSatisfy { Int($0.element) == $0.offset })
        let wcc = WeaklyConnectedComponents.compute(graph)
        #expect(wcc.count == 1)
    }

    // MARK: Weakly connected components

    @Test func wccOfAHandGraph() {
        // {0, 3, 5} linked by edges in mixed directions; {1, 4}; 2 isolated; 6 only a self-loop.
        let graph = DirectedGraph(nodeCount: 7, edges: [(3, 0), (3, 5), (4, 1), (6, 6)])
        let wcc = WeaklyConnectedComponents.compute(graph)
        #expect(wcc.componentOf == [0, 1, 2, 0, 1, 0, 3])
        #expect(wcc.count == 4)
        #expect(wcc.sizes() == [3, 2, 1, 1])
        #expect(wcc.members() == [[0, 3, 5], [1, 4], [2], [6]])
    }

    @Test func wccMatchesBreadthFirstSearchOnRandomGraphs() {
        var graphs = ComponentsTestGraphs.randomSuite(seed: 0x3CC)
        // Larger sparse graphs, where union-find trees get deep.
        var random = ComponentsTestRandom(seed: 77)
        for nodeCount in [200, 500, 1000] {
            let density = 0.8 / Double(nodeCount)
            graphs.append(ComponentsTestGraphs.randomGraph(nodeCount: nodeCount, density: density, using: &random))
        }
        for graph in graphs {
            let nodeCount = graph.nodeCount
            var labels = [Int](repeating: -1, count: nodeCount)
            for start in 0..<nodeCount where labels[start] < 0 {
                labels[start] = start
                var queue = [UInt32(start)]
                while let node = queue.popLast() {
                    for next in graph.successors(of: node) + graph.predecessors(of: node) where labels[Int(next)] < 0 {
                        labels[Int(next)] = start
                        queue.append(next)
                    }
                }
            }
            let wcc = WeaklyConnectedComponents.compute(graph)
            #expect(wcc.componentOf == ComponentsTestGraphs.canonical(labels))
            #expect(wcc.count == Set(labels).count)
            #expect(ComponentsTestGraphs.followsNumberingRule(wcc))
            // Every strongly connected component lies inside one weak component.
            let scc = StronglyConnectedComponents.compute(graph)
            for members in scc.members() {
                #expect(Set(members.map { wcc.componentOf[Int($0)] }).count == 1)
            }
        }
    }

    // MARK: ComponentAssignment

    @Test func assignmentFromLabelsRenumbersBySmallestMember() {
        let dense = ComponentAssignment(labels: [4, 2, 4, 0, 2])
        #expect(dense.componentOf == [0, 1, 0, 2, 1])
        #expect(dense.count == 3)
        // Huge label values take the hash-map path and must give the same numbering.
        let sparse = ComponentAssignment(labels: [4_000_000_000, 9, 4_000_000_000, 3_000_000_000, 9])
        #expect(sparse == dense)
        #expect(sparse.members() == [[0, 2], [1, 4], [3]])
        #expect(ComponentAssignment(labels: []).count == 0)
    }
}
