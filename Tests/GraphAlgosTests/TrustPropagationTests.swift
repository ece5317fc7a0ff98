import GraphAlgos
import Testing

@Suite struct TrustPropagationTests {
    /// Seeds 0 and 1. 2 is followed by both seeds; 3 by seed 0 and by 2; 4 only by seed 0;
    /// 5 by seed 0 and by itself; 3 follows 0 back.
    let graph = DirectedGraph(edges: [(0, 2), (1, 2), (0, 3), (2, 3), (0, 4), (0, 5), (5, 5), (3, 0)])

    @Test func thresholdTwoHandGraph() {
        let result = TrustPropagation(threshold: 2).run(on: graph, seeds: [0, 1])
        // 3 needs 2, admitted in round 1, so it only gets in at round 2; 4 has one trusted
        // follower; 5's self-loop does not count.
        #expect(result.round == [0, 0, 1, 2, -1, -1])
        #expect(result.rounds == 2)
        #expect(result.trustedCount == 4)
        #expect(result.trustedNodes == [0, 1, 2, 3])
        #expect(result.isTrusted(3))
        #expect(!result.isTrusted(4))
        #expect(!result.isTrusted(5))
        #expect(result.trustedFollowers == [1, 0, 2, 2, 1, 1])
    }

    @Test func maxRoundsStopsEarlyButFollowersCountTheFinalSet() {
        let one = TrustPropagation(threshold: 2, maxRounds: 1).run(on: graph, seeds: [0, 1])
        #expect(one.round == [0, 0, 1, -1, -1, -1])
        #expect(one.rounds == 1)
        // 2 was admitted in the last round: its edge to 3 still counts; 3 is out, so 0 has none.
        #expect(one.trustedFollowers == [0, 0, 2, 2, 1, 1])
        let zero = TrustPropagation(threshold: 2, maxRounds: 0).run(on: graph, seeds: [1, 0])
        #expect(zero.round == [0, 0, -1, -1, -1, -1])
        #expect(zero.rounds == 0)
        #expect(zero.trustedFollowers == [0, 0, 2, 1, 1, 1])
        // A bound the propagation never reaches changes nothing.
        let unbounded = TrustPropagation(threshold: 2).run(on: graph, seeds: [0, 1])
        #expect(TrustPropagation(threshold: 2, maxRounds: 2).run(on: graph, seeds: [0, 1]) == unbounded)
    }

    @Test func seedsDuplicatesAndEmptySeeds() {
        let duplicated = TrustPropagation(threshold: 2).run(on: graph, seeds: [1, 0, 1, 0, 0])
        #expect(duplicated == TrustPropagation(threshold: 2).run(on: graph, seeds: [0, 1]))
        #expect(duplicated.trustedCount == 4)
        let none = TrustPropagation(threshold: 1).run(on: graph, seeds: [])
        #expect(none.trustedCount == 0)
        #expect(none.rounds == 0)
        #expect(none.round.allSatisfy { $0 == -1 })
        #expect(none.trustedFollowers.allSatisfy { $0 == 0 })
        // A self-loop cannot trust a node into itself even at threshold 1: 5 -> 5 only.
        let selfOnly = TrustPropagation(threshold: 1).run(on: graph, seeds: [5])
        #expect(selfOnly.trustedNodes == [5])
        #expect(selfOnly.trustedFollowers[5] == 0)
        // A threshold no node can meet keeps just the seeds.
        #expect(TrustPropagation(threshold: 1_000).run(on: graph, seeds: [0, 1]).trustedNodes == [0, 1])
    }

    @Test func thresholdOneIsBreadthFirstDistance() {
        var random = ComponentsTestRandom(seed: 0xB0)
        for graph in ComponentsTestGraphs.randomSuite(seed: 0xB1, count: 20) {
            let seed = UInt32.random(in: 0..<UInt32(graph.nodeCount), using: &random)
            var distance = [Int32](repeating: -1, count: graph.nodeCount)
            distance[Int(seed)] = 0
            var queue = [seed]
            var head = 0
            while head < queue.count {
                let node = queue[head]
                head += 1
                for next in graph.successors(of: node) where distance[Int(next)] < 0 {
                    distance[Int(next)] = distance[Int(node)] + 1
                    queue.append(next)
                }
            }
            let result = TrustPropagation(threshold: 1).run(on: graph, seeds: [seed])
            #expect(result.round == distance)
            #expect(result.rounds == Int(distance.max()!))
        }
    }

    @Test func matchesNaiveRoundByRoundPropagation() {
        var random = ComponentsTestRandom(seed: 0x7A)
        var graphs = ComponentsTestGraphs.randomSuite(seed: 0x7B, count: 40)
        graphs.append(ComponentsTestGraphs.randomGraph(nodeCount: 300, density: 0.02, using: &random))
        var deepest = 0
        for graph in graphs {
            let nodeCount = graph.nodeCount
            for threshold in [1, 2, 3, 5] {
                for maxRounds in [nil, 0, 1, 3] as [Int?] {
                    let seedCount = Int.random(in: 0...max(1, nodeCount / 4), using: &random)
                    let seeds = (0..<seedCount).map { _ in UInt32.random(in: 0..<UInt32(nodeCount), using: &random) }
                    let expected = naive(graph, threshold: threshold, maxRounds: maxRounds, seeds: seeds)
                    let result = TrustPropagation(threshold: threshold, maxRounds: maxRounds)
                        .run(on: graph, seeds: seeds)
                    #expect(result.round == expected.round, "threshold \(threshold), maxRounds \(maxRounds ?? -1)")
                    #expect(result.rounds == expected.rounds)
                    #expect(result.trustedCount == expected.round.filter { $0 >= 0 }.count)
                    #expect(result.trustedNodes == (0..<UInt32(nodeCount)).filter { expected.round[Int($0)] >= 0 })
                    // Followers: a direct count of trusted predecessors, self excluded.
                    let followers = (0..<UInt32(nodeCount)).map { node in
                        UInt32(graph.predecessors(of: node).filter { $0 != node && expected.round[Int($0)] >= 0 }.count)
                    }
                    #expect(result.trustedFollowers == followers)
                    deepest = max(deepest, result.rounds)
                }
            }
        }
        // The random graphs must include multi-round propagations.
        #expect(deepest >= 3)
    }

    /// Round by round from the definition: each round counts, for every untrusted node, its
    /// predecessors trusted before the round.
    private func naive(
        _ graph: DirectedGraph, threshold: Int, maxRounds: Int?, seeds: [UInt32]
    ) -> (round: [Int32], rounds: Int) {
        var round = [Int32](repeating: -1, count: graph.nodeCount)
        for seed in seeds { round[Int(seed)] = 0 }
        var rounds = 0
        while rounds < (maxRounds ?? Int.max) {
            let current = round
            var admitted = false
            for node in 0..<UInt32(graph.nodeCount) where current[Int(node)] < 0 {
                let trusted = graph.predecessors(of: node).filter { $0 != node && current[Int($0)] >= 0 }.count
                if trusted >= threshold {
                    round[Int(node)] = Int32(rounds + 1)
                    admitted = true
                }
            }
            if !admitted { break }
            rounds += 1
        }
        return (round, rounds)
    }
}
