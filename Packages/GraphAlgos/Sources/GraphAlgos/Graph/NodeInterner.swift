/// Maps keys (pubkeys, names, ...) to dense `UInt32` node indices, in order of first sight, and
/// back. Graphs work on the indices; the interner is kept beside them to name the results.
public struct NodeInterner<Key: Hashable>: Sendable where Key: Sendable {
    private var indices: [Key: UInt32]
    /// Every key, at its index.
    public private(set) var keys: [Key]

    /// An empty interner with room for `capacity` keys.
    public init(capacity: Int = 0) {
        indices = Dictionary(minimumCapacity: capacity)
        keys = []
        keys.reserveCapacity(capacity)
    }

    /// How many keys are interned.
    public var count: Int { keys.count }

    /// The index of `key`, interning it if it is new.
    @inlinable
    public mutating func intern(_ key: Key) -> UInt32 {
        if let index = index(of: key) { return index }
        return insertNew(key)
    }

    /// The index of `key`, if it is interned.
    public func index(of key: Key) -> UInt32? { indices[key] }

    /// The key at `index`.
    public subscript(index: UInt32) -> Key { keys[Int(index)] }

    @usableFromInline
    mutating func insertNew(_ key: Key) -> UInt32 {
        precondition(keys.count < Int(UInt32.max), "NodeInterner holds at most 2^32 - 1 keys")
        let index = UInt32(keys.count)
        indices[key] = index
        keys.append(key)
        return index
    }
}
