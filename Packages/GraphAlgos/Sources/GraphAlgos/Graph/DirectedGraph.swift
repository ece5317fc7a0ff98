/// A directed graph in compressed sparse row form: for every node, its successors (out-edges)
/// and its predecessors (in-edges), each sorted ascending and without duplicates, in two flat
/// arrays indexed by offset arrays. About 8 bytes per edge plus 16 per node; immutable once built.
public struct DirectedGraph: Sendable {
    /// Nodes are `0..<nodeCount`.
    public let nodeCount: Int
    /// `outOffsets[v]..<outOffsets[v + 1]` indexes `outTargets` for node `v`.
    let outOffsets: [Int]
    let outTargets: [UInt32]
    /// `inOffsets[v]..<inOffsets[v + 1]` indexes `inSources` for node `v`.
    let inOffsets: [Int]
    let inSources: [UInt32]

    /// Builds the graph from `edges`, consuming them. Duplicate edges count once; self-loops are
    /// kept. `nodeCount` defaults to the largest index mentioned plus one and may be larger
    /// (isolated nodes); an edge naming a node at or past it is a programming error.
    public init(nodeCount: Int? = nil, edges: consuming EdgeList) {
        let count = nodeCount ?? edges.impliedNodeCount
        self.nodeCount = count
        var list = edges
        let (offsets, targets) = Self.compressedRows(
            nodeCount: count, keys: list.sources, values: list.targets, deduplicate: true)
        list.removeAll()
        outOffsets = offsets
        outTargets = targets
        // Rows of the transpose, filled in ascending source order, come out sorted and unique.
        var inOffsets = [Int](repeating: 0, count: count + 1)
        for target in targets { inOffsets[Int(target) + 1] += 1 }
        for node in 0..<count { inOffsets[node + 1] += inOffsets[node] }
        var next = inOffsets
        var sources = [UInt32](repeating: 0, count: targets.count)
        for node in 0..<count {
            for edge in offsets[node]..<offsets[node + 1] {
                let target = Int(targets[edge])
                sources[next[target]] = UInt32(node)
                next[target] += 1
            }
        }
        self.inOffsets = inOffsets
        inSources = sources
    }

    /// A graph from `(from, to)` pairs, for tests and small inputs.
    public init(nodeCount: Int? = nil, edges pairs: [(UInt32, UInt32)]) {
        self.init(nodeCount: nodeCount, edges: EdgeList(pairs))
    }

    /// Number of distinct edges.
    public var edgeCount: Int { outTargets.count }

    /// The nodes `node` points to, ascending.
    public func successors(of node: UInt32) -> ArraySlice<UInt32> {
        outTargets[outOffsets[Int(node)]..<outOffsets[Int(node) + 1]]
    }

    /// The nodes pointing to `node`, ascending.
    public func predecessors(of node: UInt32) -> ArraySlice<UInt32> {
        inSources[inOffsets[Int(node)]..<inOffsets[Int(node) + 1]]
    }

    /// Number of edges leaving `node`.
    public func outDegree(of node: UInt32) -> Int { outOffsets[Int(node) + 1] - outOffsets[Int(node)] }

    /// Number of edges arriving at `node`.
    public func inDegree(of node: UInt32) -> Int { inOffsets[Int(node) + 1] - inOffsets[Int(node)] }

    /// Whether the edge `from -> to` exists (binary search).
    public func hasEdge(from: UInt32, to: UInt32) -> Bool {
        var low = outOffsets[Int(from)]
        var high = outOffsets[Int(from) + 1]
        while low < high {
            let middle = (low + high) / 2
            if outTargets[middle] < to { low = middle + 1 } else { high = middle }
        }
        return low < outOffsets[Int(from) + 1] && outTargets[low] == to
    }

    /// Calls `body` for every edge, grouped by source ascending.
    public func forEachEdge(_ body: (_ from: UInt32, _ to: UInt32) throws -> Void) rethrows {
        for node in 0..<nodeCount {
            for edge in outOffsets[node]..<outOffsets[node + 1] { try body(UInt32(node), outTargets[edge]) }
        }
    }

    /// Groups `values` by `keys` (counting sort), each row sorted ascending and, if asked, unique.
    static func compressedRows(
        nodeCount: Int, keys: [UInt32], values: [UInt32], deduplicate: Bool
    ) -> (offsets: [Int], values: [UInt32]) {
        var offsets = [Int](repeating: 0, count: nodeCount + 1)
        for key in keys {
            precondition(Int(key) < nodeCount, "edge names node \(key) outside 0..<\(nodeCount)")
            offsets[Int(key) + 1] += 1
        }
        for node in 0..<nodeCount { offsets[node + 1] += offsets[node] }
        var next = offsets
        var rows = [UInt32](repeating: 0, count: keys.count)
        for index in 0..<keys.count {
            let key = Int(keys[index])
            precondition(Int(values[index]) < nodeCount, "edge names node \(values[index]) outside 0..<\(nodeCount)")
            rows[next[key]] = values[index]
            next[key] += 1
        }
        // Sort each row, then squeeze out duplicates, moving rows down in place.
        var write = 0
        var rowStart = 0
        for node in 0..<nodeCount {
            let rowEnd = offsets[node + 1]
            rows[rowStart..<rowEnd].sort()
            offsets[node] = write
            var previous: UInt32? = nil
            for index in rowStart..<rowEnd {
                let value = rows[index]
                if deduplicate, value == previous { continue }
                rows[write] = value
                write += 1
                previous = value
            }
            rowStart = rowEnd
        }
        offsets[nodeCount] = write
        rows.removeLast(rows.count - write)
        return (offsets, rows)
    }
}
