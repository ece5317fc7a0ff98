/// Directed edges collected before a graph is built: two parallel arrays of node indices.
public struct EdgeList: Sendable {
    /// Source of each edge.
    public private(set) var sources: [UInt32] = []
    /// Target of each edge.
    public private(set) var targets: [UInt32] = []

    /// An empty list.
    public init() {}

    /// An empty list with room for `capacity` edges.
    public init(capacity: Int) {
        sources.reserveCapacity(capacity)
        targets.reserveCapacity(capacity)
    }

    /// A list of `(from, to)` pairs.
    public init(_ pairs: [(UInt32, UInt32)]) {
        self.init(capacity: pairs.count)
        for (from, to) in pairs { append(from: from, to: to) }
    }

    /// How many edges.
    public var count: Int { sources.count }

    /// Adds the edge `from -> to`.
    @inlinable
    public mutating func append(from: UInt32, to: UInt32) {
        appendUnchecked(from, to)
    }

    @usableFromInline
    mutating func appendUnchecked(_ from: UInt32, _ to: UInt32) {
        sources.append(from)
        targets.append(to)
    }

    /// The largest node index mentioned plus one (0 for no edges).
    public var impliedNodeCount: Int {
        var largest: UInt32 = 0
        var any = false
        for index in 0..<sources.count {
            largest = max(largest, sources[index], targets[index])
            any = true
        }
        return any ? Int(largest) + 1 : 0
    }

    /// Releases the storage (the graph builder consumes the list).
    mutating func removeAll() {
        sources = []
        targets = []
    }
}
