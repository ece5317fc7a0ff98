/// A partition of a graph's nodes into numbered components.
///
/// Components are numbered `0..<count` in order of their smallest member node: the component of
/// node 0 is 0, the next component met while scanning nodes upward is 1, and so on. Two
/// assignments of the same partition are therefore equal (`==`) whatever algorithm produced them.
public struct ComponentAssignment: Sendable, Equatable {
    /// The component of each node, indexed by node; every value is in `0..<count`.
    public let componentOf: [UInt32]
    /// How many components (0 for a graph without nodes).
    public let count: Int

    /// An assignment whose numbering already follows the smallest-member rule.
    init(canonical componentOf: [UInt32], count: Int) {
        self.componentOf = componentOf
        self.count = count
    }

    /// The partition in which nodes with equal `labels` share a component (`labels[v]` is node
    /// `v`'s label; labels are arbitrary, e.g. Louvain community numbers). The components are
    /// renumbered by smallest member, so the label values themselves are not kept.
    public init(labels: [UInt32]) {
        let nodeCount = labels.count
        precondition(nodeCount < Int(UInt32.max), "ComponentAssignment holds at most 2^32 - 2 nodes")
        let unassigned = UInt32.max
        var componentOf = [UInt32](repeating: 0, count: nodeCount)
        var next: UInt32 = 0
        let largest = labels.max() ?? 0
        if Int(largest) < 2 * nodeCount + 1024 {
            // Dense labels: a flat map from label to component number.
            var map = [UInt32](repeating: unassigned, count: Int(largest) + 1)
            for node in 0..<nodeCount {
                let label = Int(labels[node])
                if map[label] == unassigned {
                    map[label] = next
                    next += 1
                }
                componentOf[node] = map[label]
            }
        } else {
            var map: [UInt32: UInt32] = [:]
            for node in 0..<nodeCount {
                let label = labels[node]
                if let component = map[label] {
                    componentOf[node] = component
                } else {
                    map[label] = next
                    componentOf[node] = next
                    next += 1
                }
            }
        }
        self.init(canonical: componentOf, count: Int(next))
    }

    /// The number of nodes in each component, indexed by component.
    public func sizes() -> [Int] {
        var sizes = [Int](repeating: 0, count: count)
        for component in componentOf { sizes[Int(component)] += 1 }
        return sizes
    }

    /// The nodes of each component, indexed by component, each list ascending.
    public func members() -> [[UInt32]] {
        let sizes = sizes()
        var members = [[UInt32]]()
        members.reserveCapacity(count)
        for size in sizes {
            var list = [UInt32]()
            list.reserveCapacity(size)
            members.append(list)
        }
        for node in 0..<componentOf.count { members[Int(componentOf[node])].append(UInt32(node)) }
        return members
    }

    /// Relabels raw component ids (`0..<rawCount`, any order) so that components are numbered by
    /// smallest member, in place; returns the number of components.
    static func canonicalize(_ raw: inout [UInt32], rawCount: Int) -> Int {
        let unassigned = UInt32.max
        var map = [UInt32](repeating: unassigned, count: rawCount)
        var next: UInt32 = 0
        raw.withUnsafeMutableBufferPointer { raw in
            map.withUnsafeMutableBufferPointer { map in
                for node in 0..<raw.count {
                    let id = Int(raw[node])
                    if map[id] == unassigned {
                        map[id] = next
                        next += 1
                    }
                    raw[node] = map[id]
                }
            }
        }
        return Int(next)
    }
}
