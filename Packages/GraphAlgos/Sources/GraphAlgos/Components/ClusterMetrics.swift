/// Edge counts of a set of nodes ("cluster") in a directed graph.
public struct ClusterMetrics: Sendable, Equatable {
    /// Number of distinct member nodes.
    public var size: Int
    /// Edges from a member to another member (self-loops excluded).
    public var internalEdges: Int
    /// Edges from a member to a non-member (edges leaving the cluster; edges arriving from outside
    /// are not counted).
    public var externalEdges: Int
    /// `internalEdges / (size * (size - 1))`, the share of possible member-to-member edges
    /// present; 0 when `size < 2`.
    public var internalDensity: Double
    /// `externalEdges / internalEdges`; 0 when both are 0, `.infinity` when only `internalEdges` is.
    public var externalRatio: Double

    /// Metrics from counts, deriving `internalDensity` and `externalRatio`.
    public init(size: Int, internalEdges: Int, externalEdges: Int) {
        self.size = size
        self.internalEdges = internalEdges
        self.externalEdges = externalEdges
        internalDensity = size < 2 ? 0 : Double(internalEdges) / (Double(size) * Double(size - 1))
        if internalEdges > 0 {
            externalRatio = Double(externalEdges) / Double(internalEdges)
        } else {
            externalRatio = externalEdges > 0 ? .infinity : 0
        }
    }

    /// Metrics of the cluster `members` (duplicates count once; every member must be a node of
    /// `graph`). O(members' out-degrees), plus O(V) for large clusters, which are marked in a flat
    /// array rather than a hash set.
    public static func of(_ members: [UInt32], in graph: DirectedGraph) -> ClusterMetrics {
        let nodeCount = graph.nodeCount
        for member in members {
            precondition(Int(member) < nodeCount, "cluster member \(member) outside 0..<\(nodeCount)")
        }
        // A hash set costs far more per element than a flat array; only worth it when the array
        // would be mostly empty.
        if members.count >= nodeCount / 64 {
            var isMember = [Bool](repeating: false, count: nodeCount)
            var distinct: [UInt32] = []
            distinct.reserveCapacity(members.count)
            for member in members where !isMember[Int(member)] {
                isMember[Int(member)] = true
                distinct.append(member)
            }
            return isMember.withUnsafeBufferPointer { isMember in
                count(distinct, in: graph) { isMember[Int($0)] }
            }
        } else {
            let memberSet = Set(members)
            return count(Array(memberSet), in: graph) { memberSet.contains($0) }
        }
    }

    /// Counts the edges leaving each of the distinct `members`.
    @inline(__always)
    private static func count(
        _ members: [UInt32], in graph: DirectedGraph, isMember: (UInt32) -> Bool
    ) -> ClusterMetrics {
        var internalEdges = 0
        var externalEdges = 0
        graph.outOffsets.withUnsafeBufferPointer { offsets in
            graph.outTargets.withUnsafeBufferPointer { targets in
                for member in members {
                    for edge in offsets[Int(member)]..<offsets[Int(member) + 1] {
                        let target = targets[edge]
                        if target == member { continue }
                        if isMember(target) { internalEdges += 1 } else { externalEdges += 1 }
                    }
                }
            }
        }
        return ClusterMetrics(size: members.count, internalEdges: internalEdges, externalEdges: externalEdges)
    }

    /// Metrics of every component of `assignment` in one O(V+E) pass, indexed by component.
    /// `assignment` must cover exactly the nodes of `graph` (it may be any partition, e.g. one
    /// made with ``ComponentAssignment/init(labels:)``).
    public static func forComponents(_ assignment: ComponentAssignment, in graph: DirectedGraph) -> [ClusterMetrics] {
        let nodeCount = graph.nodeCount
        precondition(
            assignment.componentOf.count == nodeCount,
            "assignment covers \(assignment.componentOf.count) nodes, graph has \(nodeCount)")
        let count = assignment.count
        var sizes = [Int](repeating: 0, count: count)
        var internalEdges = [Int](repeating: 0, count: count)
        var externalEdges = [Int](repeating: 0, count: count)
        graph.outOffsets.withUnsafeBufferPointer { offsets in
            graph.outTargets.withUnsafeBufferPointer { targets in
                assignment.componentOf.withUnsafeBufferPointer { componentOf in
                    for node in 0..<nodeCount {
                        let component = componentOf[node]
                        sizes[Int(component)] += 1
                        for edge in offsets[node]..<offsets[node + 1] {
                            let target = Int(targets[edge])
                            if target == node { continue }
                            if componentOf[target] == component {
                                internalEdges[Int(component)] += 1
                            } else {
                                externalEdges[Int(component)] += 1
                            }
                        }
                    }
                }
            }
        }
        return (0..<count).map {
            ClusterMetrics(size: sizes[$0], internalEdges: internalEdges[$0], externalEdges: externalEdges[$0])
        }
    }
}
