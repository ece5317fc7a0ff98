import NostrCore

/// Counts the store keeps as it writes, so they cost no scan.
public struct StoreStatistics: Sendable, Hashable {
    /// Events stored.
    public var totalEvents: Int
    /// Events stored per kind.
    public var eventsByKind: [Kind: Int]
    /// Bytes of the LMDB file in use.
    public var sizeBytes: Int
}
