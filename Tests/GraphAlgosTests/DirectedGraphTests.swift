import GraphAlgos
import Testing

@Suite struct DirectedGraphTests {
    @Test func buildsSortedUniqueRowsInBothDirections() {
        let graph = DirectedGraph(edges: [(0, 2), (0, 1), (0, 2), (2, 0), (3, 3), (1, 2)])
        #expect(graph.nodeCount == 4)
        #expect(graph.edgeCount == 5)
        #expect(Array(graph.successors(of: 0)) == [1, 2])
        #expect(Array(graph.predecessors(of: 2)) == [0, 1])
        #expect(Array(graph.successors(of: 3)) == [3])
        #expect(graph.inDegree(of: 0) == 1)
        #expect(graph.outDegree(of: 1) == 1)
        #expect(graph.hasEdge(from: 2, to: 0))
        #expect(!graph.hasEdge(from: 0, to: 3))
    }

    @Test func keepsIsolatedNodesUpToTheGivenCount() {
        let graph = DirectedGraph(nodeCount: 6, edges: [(0, 1)])
        #expect(graph.nodeCount == 6)
        #expect(graph.successors(of: 5).isEmpty)
        #expect(graph.predecessors(of: 5).isEmpty)
    }

    @Test func internerNumbersKeysInOrderOfFirstSight() {
        var interner = NodeInterner<String>()
        #expect(interner.intern("b") == 0)
        #expect(interner.intern("a") == 1)
        #expect(interner.intern("b") == 0)
        #expect(interner.index(of: "c") == nil)
        #expect(interner[1] == "a")
        #expect(interner.count == 2)
    }
}
