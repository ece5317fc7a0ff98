/// Weakly connected components: the connected components of the graph with edge directions
/// ignored.
public enum WeaklyConnectedComponents {
    /// The weakly connected components of `graph`, numbered by smallest member node (the
    /// component of node 0 is 0; see ``ComponentAssignment``). An isolated node is a component of
    /// its own.
    ///
    /// Union-find over the edges, with union by rank and path compression: near-linear time and
    /// 5 bytes of scratch per node besides the result.
    public static func compute(_ graph: DirectedGraph) -> ComponentAssignment {
        let nodeCount = graph.nodeCount
        precondition(nodeCount < Int(UInt32.max), "WeaklyConnectedComponents handles at most 2^32 - 2 nodes")
        let unassigned = UInt32.max
        var componentOf = [UInt32](repeating: unassigned, count: nodeCount)
        var count: UInt32 = 0
        let parent = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: nodeCount)
        defer { parent.deallocate() }
        for node in 0..<nodeCount { parent.initializeElement(at: node, to: UInt32(node)) }
        // Upper bound on each root's tree height; at most log2(nodeCount), so it fits a byte.
        let rank = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: nodeCount)
        rank.initialize(repeating: 0)
        defer { rank.deallocate() }

        graph.outOffsets.withUnsafeBufferPointer { offsets in
            graph.outTargets.withUnsafeBufferPointer { targets in
                for node in 0..<nodeCount {
                    for edge in offsets[node]..<offsets[node + 1] {
                        let target = targets[edge]
                        if target == UInt32(node) { continue }
                        var first = find(UInt32(node), parent)
                        var second = find(target, parent)
                        if first == second { continue }
                        if rank[Int(first)] < rank[Int(second)] { swap(&first, &second) }
                        parent[Int(second)] = first
                        if rank[Int(first)] == rank[Int(second)] { rank[Int(first)] += 1 }
                    }
                }
            }
        }
        // Number roots in order of their smallest member. The root's slot in `componentOf` holds
        // its component number from the first member seen on; members below it see it set.
        componentOf.withUnsafeMutableBufferPointer { componentOf in
            for node in 0..<nodeCount {
                let root = Int(find(UInt32(node), parent))
                if componentOf[root] == unassigned {
                    componentOf[root] = count
                    count += 1
                }
                componentOf[node] = componentOf[root]
            }
        }
        return ComponentAssignment(canonical: componentOf, count: Int(count))
    }

    /// The root of `node`'s tree, pointing every node on the way straight at it.
    @inline(__always)
    private static func find(_ node: UInt32, _ parent: UnsafeMutableBufferPointer<UInt32>) -> UInt32 {
        var root = node
        while parent[Int(root)] != root { root = parent[Int(root)] }
        var current = node
        while parent[Int(current)] != root {
            let next = parent[Int(current)]
            parent[Int(current)] = root
            current = next
        }
        return root
    }
}
