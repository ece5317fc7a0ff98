/// What a range of a negentropy message carries after its upper bound.
public enum NegentropyMode: UInt64, Sendable {
    /// Nothing: the sender has no more to say about this range.
    case skip = 0
    /// The 16-byte fingerprint of the sender's items in the range.
    case fingerprint = 1
    /// A varint count and then that many 32-byte ids: every item the sender has in the range.
    case idList = 2
}
