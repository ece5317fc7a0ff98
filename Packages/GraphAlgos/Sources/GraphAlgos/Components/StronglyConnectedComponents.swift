/// Strongly connected components: maximal sets of nodes that all reach one another along edges.
public enum StronglyConnectedComponents {
    /// The strongly connected components of `graph`, numbered by smallest member node (the
    /// component of node 0 is 0; see ``ComponentAssignment``). A node on no cycle is a component
    /// of its own.
    ///
    /// Iterative Tarjan: the depth-first search keeps an explicit stack of (node, edge cursor)
    /// frames instead of recursing, so paths millions of nodes deep are fine. O(V + E) time and
    /// about 24 bytes of scratch per node.
    public static func compute(_ graph: DirectedGraph) -> ComponentAssignment {
        let nodeCount = graph.nodeCount
        precondition(nodeCount < Int(UInt32.max), "StronglyConnectedComponents handles at most 2^32 - 2 nodes")
        let unvisited = UInt32.max
        // Tarjan's component numbers, in order of completion (reverse topological order).
        var component = [UInt32](repeating: unvisited, count: nodeCount)
        var rawCount = 0
        graph.outOffsets.withUnsafeBufferPointer { offsets in
            graph.outTargets.withUnsafeBufferPointer { targets in
                component.withUnsafeMutableBufferPointer { component in
                    rawCount = tarjan(
                        nodeCount: nodeCount, offsets: offsets, targets: targets, component: component)
                }
            }
        }
        let count = ComponentAssignment.canonicalize(&component, rawCount: rawCount)
        return ComponentAssignment(canonical: component, count: count)
    }

    /// Fills `component` (initially all `UInt32.max`) with Tarjan's numbering; returns the number
    /// of components.
    private static func tarjan(
        nodeCount: Int,
        offsets: UnsafeBufferPointer<Int>,
        targets: UnsafeBufferPointer<UInt32>,
        component: UnsafeMutableBufferPointer<UInt32>
    ) -> Int {
        let unvisited = UInt32.max
        // Discovery order of each node, or `unvisited`.
        let index = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: nodeCount)
        index.initialize(repeating: unvisited)
        defer { index.deallocate() }
        // Smallest discovery index reachable from the node's subtree through at most one back edge
        // to a node still on the Tarjan stack.
        let lowlink = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: nodeCount)
        lowlink.initialize(repeating: 0)
        defer { lowlink.deallocate() }
        // Tarjan's stack of visited nodes not yet given a component. A visited node is on it
        // exactly while its `component` is still `unvisited`.
        let stack = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: nodeCount)
        stack.initialize(repeating: 0)
        defer { stack.deallocate() }
        var stackTop = 0
        // The depth-first search's call stack: node and the position of its next edge.
        let frameNode = UnsafeMutableBufferPointer<UInt32>.allocate(capacity: nodeCount)
        frameNode.initialize(repeating: 0)
        defer { frameNode.deallocate() }
        let frameEdge = UnsafeMutableBufferPointer<Int>.allocate(capacity: nodeCount)
        frameEdge.initialize(repeating: 0)
        defer { frameEdge.deallocate() }
        var frameTop = 0

        var nextIndex: UInt32 = 0
        var nextComponent: UInt32 = 0
        for root in 0..<nodeCount where index[root] == unvisited {
            index[root] = nextIndex
            lowlink[root] = nextIndex
            nextIndex += 1
            stack[stackTop] = UInt32(root)
            stackTop += 1
            frameNode[0] = UInt32(root)
            frameEdge[0] = offsets[root]
            frameTop = 1
            while frameTop > 0 {
                let node = Int(frameNode[frameTop - 1])
                var edge = frameEdge[frameTop - 1]
                let end = offsets[node + 1]
                var descended = false
                while edge < end {
                    let target = Int(targets[edge])
                    edge += 1
                    if index[target] == unvisited {
                        // Descend: remember where to resume, then push the child's frame.
                        frameEdge[frameTop - 1] = edge
                        index[target] = nextIndex
                        lowlink[target] = nextIndex
                        nextIndex += 1
                        stack[stackTop] = UInt32(target)
                        stackTop += 1
                        frameNode[frameTop] = UInt32(target)
                        frameEdge[frameTop] = offsets[target]
                        frameTop += 1
                        descended = true
                        break
                    } else if component[target] == unvisited, index[target] < lowlink[node] {
                        // Still on the Tarjan stack: same component as some node above.
                        lowlink[node] = index[target]
                    }
                }
                if descended { continue }
                // Every edge of `node` is done.
                let low = lowlink[node]
                if low == index[node] {
                    // `node` is the root of a component: everything above it on the stack.
                    while true {
                        stackTop -= 1
                        let member = Int(stack[stackTop])
                        component[member] = nextComponent
                        if member == node { break }
                    }
                    nextComponent += 1
                }
                frameTop -= 1
                if frameTop > 0 {
                    let parent = Int(frameNode[frameTop - 1])
                    if low < lowlink[parent] { lowlink[parent] = low }
                }
            }
        }
        return Int(nextComponent)
    }
}
