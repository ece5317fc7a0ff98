/// What saving one event did.
public enum SaveOutcome: Sendable, Hashable {
    /// Stored (and durable: the transaction committed).
    case stored
    /// Stored, and an older version of the same address was removed.
    case replaced
    /// Already stored.
    case duplicate
    /// A replaceable or addressable event older than the version stored (or tied with a lower id).
    case rejectedOlder
    /// Its author deleted it (NIP-09 tombstone).
    case deleted
    /// Its NIP-40 expiration has passed.
    case expired
    /// An ephemeral kind (20000-29999): never stored.
    case ephemeral

    /// Whether the event is in the store afterwards.
    public var isStored: Bool { self == .stored || self == .replaced || self == .duplicate }
}
