/// Why a negentropy message or setup was refused. Malformed input from a peer always ends in one of
/// these, never in a crash.
public enum NegentropyError: Error, Equatable, Sendable {
    /// The message was empty, or its first byte is not a protocol version (0x60 to 0x6F).
    case invalidProtocolVersion(UInt8?)
    /// The responder asked for a protocol version this side cannot speak (only the initiator fails;
    /// a responder answers with the version it supports).
    case unsupportedProtocolVersion(UInt8)
    /// A varint ran past the end of the message.
    case truncatedVarint
    /// A varint encodes more than 64 bits.
    case varintOverflow
    /// A fixed-size field (id prefix, fingerprint, id) ran past the end of the message.
    case truncatedMessage
    /// A bound's id prefix is longer than 32 bytes.
    case boundPrefixTooLong(UInt64)
    /// A range's upper bound is below the previous range's.
    case boundOutOfOrder
    /// A range mode other than Skip (0), Fingerprint (1) and IdList (2).
    case unexpectedMode(UInt64)
    /// A frame size limit below the protocol's minimum of 4096 bytes (0 means no limit).
    case frameSizeLimitTooSmall(Int)
    /// The same (created_at, id) item was given twice to a storage.
    case duplicateItem
    /// `initiate()` was called a second time.
    case alreadyInitiated
    /// `reconcile(_:)` was called on an initiator before `initiate()`.
    case notInitiated
}
