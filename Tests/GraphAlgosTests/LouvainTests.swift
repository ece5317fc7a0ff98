import GraphAlgos
import Testing

@Suite struct LouvainTests {
    @Test(arguments: [1, 2, 3] as [UInt64])
    func recoversAPlantedPartitionExactly(seed: UInt64) {
        var random = LouvainTestRandom(seed: seed &* 1000)
        let sizes = (0..<8).map { _ in 30 + random.below(31) }
        let (graph, groups) = CommunityTestGraphs.plantedPartition(
            sizes: sizes, inside: 0.3, across: 0.005, seed: seed)
        let result = Louvain(seed: seed).run(on: graph)
        #expect(result.count == 8)
        #expect(CommunityTestGraphs.samePartition(result.community, groups))
        #expect(result.levels >= 1)
        #expect(result.modularity > 0.7)
        // Numbered by decreasing size.
        #expect(result.members().map(\.count) == sizes.sorted(by: >))
    }

    @Test func recoversManySmallerPlantedCommunities() {
        // 40 groups of 50: about 10 neighbours inside and 4 outside per node.
        let (graph, groups) = CommunityTestGraphs.plantedPartition(
            sizes: Array(repeating: 50, count: 40), inside: 0.2, across: 0.002, seed: 77)
        let result = Louvain(seed: 3).run(on: graph)
        #expect(result.count == 40)
        #expect(CommunityTestGraphs.samePartition(result.community, groups))
    }

    @Test func recoversARingOfCliques() {
        let graph = CommunityTestGraphs.ringOfCliques(cliqueCount: 12, cliqueSize: 6)
        let result = Louvain().run(on: graph)
        let cliques = (0..<72).map { $0 / 6 }
        #expect(result.count == 12)
        #expect(CommunityTestGraphs.samePartition(result.community, cliques))
        // All cliques are the same size, so they are numbered by smallest member: in order.
        #expect(result.community == cliques.map { UInt32($0) })
        #expect(result.members()[3] == [18, 19, 20, 21, 22, 23])
    }

    @Test func neverEndsBelowTheSingletonPartition() {
        for round in 0..<25 {
            let graph = CommunityTestGraphs.randomWeighted(
                seed: 100 + UInt64(round), nodeCount: 5 + round * 8, edgeCount: 10 + round * 30)
            let result = Louvain(seed: UInt64(round)).run(on: graph)
            let singletons = CommunityTestGraphs.singletonModularity(graph)
            #expect(result.modularity >= singletons, "round \(round)")
            #expect(result.modularity > singletons || result.count == graph.nodeCount, "round \(round)")
        }
    }

    @Test func reportsTheTrueModularityOfItsPartition() {
        for round in 0..<10 {
            let graph = CommunityTestGraphs.randomWeighted(
                seed: 200 + UInt64(round), nodeCount: 60, edgeCount: 150, maxWeight: 4)
            let result = Louvain(seed: 5).run(on: graph)
            #expect(result.modularity == Modularity.of(result.community, in: graph))
            let expected = CommunityTestGraphs.bruteForceModularity(result.community, in: graph)
            #expect(abs(result.modularity - expected) < 1e-12)
        }
    }

    @Test func isDeterministicForAGivenSeed() {
        let (graph, _) = CommunityTestGraphs.plantedPartition(
            sizes: [40, 40, 40, 40], inside: 0.1, across: 0.04, seed: 9)
        for seed in [0, 1, 42] as [UInt64] {
            let first = Louvain(seed: seed).run(on: graph)
            let second = Louvain(seed: seed).run(on: graph)
            #expect(first.community == second.community)
            #expect(first.modularity == second.modularity)
            #expect(first.levels == second.levels)
        }
    }

    @Test func numbersCommunitiesBySizeThenSmallestMember() {
        for round in 0..<10 {
            let graph = CommunityTestGraphs.randomWeighted(
                seed: 300 + UInt64(round), nodeCount: 80, edgeCount: 120)
            let result = Louvain(seed: UInt64(round)).run(on: graph)
            let members = result.members()
            #expect(members.count == result.count)
            #expect(result.community.allSatisfy { Int($0) < result.count })
            #expect(members.allSatisfy { !$0.isEmpty && $0 == $0.sorted() })
            for index in 1..<members.count {
                let (previous, current) = (members[index - 1], members[index])
                #expect(
                    previous.count > current.count || (previous.count == current.count && previous[0] < current[0]),
                    "round \(round), community \(index)")
            }
            for (index, list) in members.enumerated() {
                #expect(list.allSatisfy { result.community[Int($0)] == UInt32(index) })
            }
        }
    }

    @Test func nodesWithoutEdgesStaySingletons() {
        // Two triangles, an isolated node 6, and node 7 with only a self-loop.
        let graph = WeightedGraph(
            nodeCount: 8,
            edges: [(0, 1, 1), (1, 2, 1), (0, 2, 1), (3, 4, 1), (4, 5, 1), (3, 5, 1), (2, 3, 1), (7, 7, 2)])
        let result = Louvain().run(on: graph)
        #expect(CommunityTestGraphs.samePartition(result.community, [0, 0, 0, 1, 1, 1, 2, 3]))
        #expect(result.members().suffix(2) == [[6], [7]])
        let empty = Louvain().run(on: WeightedGraph(nodeCount: 4, edges: []))
        #expect(empty.community == [0, 1, 2, 3])
        #expect(empty.levels == 0)
        #expect(empty.modularity == 0)
        #expect(Louvain().run(on: WeightedGraph(nodeCount: 0, edges: [])).count == 0)
    }

    @Test func weightsDecideTheGrouping() {
        // A 4-cycle 0–1–2–3–0: heavy 0–1 and 2–3 pair those up; heavy 1–2 and 3–0 pair the others.
        let first = WeightedGraph(nodeCount: 4, edges: [(0, 1, 5), (1, 2, 1), (2, 3, 5), (3, 0, 1)])
        #expect(Louvain().run(on: first).community == [0, 0, 1, 1])
        let second = WeightedGraph(nodeCount: 4, edges: [(0, 1, 1), (1, 2, 5), (2, 3, 1), (3, 0, 5)])
        #expect(Louvain().run(on: second).community == [0, 1, 1, 0])
    }

    @Test func selfLoopsWeighAsInternalEdges() {
        // Two collapsed triangles (self-loops of 3) joined by one edge keep apart (Q 5/14 against 0 merged)...
        let collapsed = WeightedGraph(nodeCount: 2, edges: [(0, 0, 3), (1, 1, 3), (0, 1, 1)])
        let apart = Louvain().run(on: collapsed)
        #expect(apart.count == 2)
        #expect(abs(apart.modularity - 5.0 / 14.0) < 1e-15)
        // ...while two bare nodes joined by an edge merge (Q 0 against −1/2 apart).
        let bare = Louvain().run(on: WeightedGraph(nodeCount: 2, edges: [(0, 1, 1)]))
        #expect(bare.community == [0, 0])
        #expect(bare.levels == 1)
    }

    @Test func aggregationLevelsBuildOnEachOther() {
        // Pairs of 5-cliques joined by 6 edges, the pairs joined in a ring by one edge: the first level finds the
        // cliques or pairs; the result must be at least as good as the best of the two hand-made partitions.
        var edges: [(UInt32, UInt32, UInt32)] = []
        let pairCount = 6
        for clique in 0..<(2 * pairCount) {
            let first = clique * 5
            for u in first..<(first + 5) {
                for v in (u + 1)..<(first + 5) { edges.append((UInt32(u), UInt32(v), 1)) }
            }
        }
        for pair in 0..<pairCount {
            let a = pair * 10
            for offset in 0..<6 { edges.append((UInt32(a + offset % 5), UInt32(a + 5 + (offset + 1) % 5), 1)) }
            edges.append((UInt32(a + 9), UInt32((a + 10) % (10 * pairCount)), 1))
        }
        let graph = WeightedGraph(nodeCount: 10 * pairCount, edges: edges)
        let result = Louvain().run(on: graph)
        let byClique = Modularity.of((0..<UInt32(10 * pairCount)).map { $0 / 5 }, in: graph)
        let byPair = Modularity.of((0..<UInt32(10 * pairCount)).map { $0 / 10 }, in: graph)
        #expect(byPair > byClique)
        #expect(result.modularity >= byPair - 1e-12)
        #expect(result.levels >= 2)
        #expect(CommunityTestGraphs.samePartition(result.community, (0..<(10 * pairCount)).map { $0 / 10 }))
    }

    @Test func levelLimitsAreHonoured() {
        let graph = CommunityTestGraphs.ringOfCliques(cliqueCount: 6, cliqueSize: 4)
        let none = Louvain(maxLevels: 0).run(on: graph)
        #expect(none.count == graph.nodeCount)
        #expect(none.levels == 0)
        let one = Louvain(maxLevels: 1).run(on: graph)
        #expect(one.levels == 1)
        #expect(one.modularity > none.modularity)
        let noSweeps = Louvain(maxSweeps: 0).run(on: graph)
        #expect(noSweeps.count == graph.nodeCount)
    }
}
