/// One element of a negentropy set: an event's `created_at` and id, ordered by timestamp and then
/// by the id's bytes (the protocol's order, which is also NIP-01's).
public struct NegentropyItem: Hashable, Comparable, Sendable {
    /// The event's `created_at`.
    public var createdAt: UInt64
    /// The event's id.
    public var id: EventID

    /// Creates an item.
    public init(createdAt: UInt64, id: EventID) {
        self.createdAt = createdAt
        self.id = id
    }

    /// Orders by `createdAt`, then by the id's bytes.
    public static func < (lhs: NegentropyItem, rhs: NegentropyItem) -> Bool {
        lhs.createdAt != rhs.createdAt ? lhs.createdAt < rhs.createdAt : lhs.id.raw < rhs.id.raw
    }
}
