/// Why a bech32 string or a NIP-19 entity could not be decoded.
///
/// Each failure has its own factory below, so callers (and tests) can compare an error against the exact
/// problem they expect; `reason` carries the human-readable explanation.
public struct NIP19Error: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, in words.
    public var reason: String

    /// Creates an error with the given explanation.
    public init(_ reason: String) { self.reason = reason }

    /// The reason, prefixed so that it reads well on its own in a log.
    public var description: String { "invalid NIP-19 string: \(reason)" }

    // MARK: Bech32

    /// The string is longer than the decoder allows.
    public static func tooLong(length: Int, maximum: Int) -> NIP19Error {
        NIP19Error("length \(length) exceeds the maximum of \(maximum) characters")
    }

    /// A character outside US-ASCII 33...126 (anywhere), or outside the bech32 alphabet (in the data part).
    public static func invalidCharacter(at position: Int) -> NIP19Error {
        NIP19Error("invalid character at position \(position)")
    }

    /// The string mixes uppercase and lowercase letters.
    public static let mixedCase = NIP19Error("mixed uppercase and lowercase letters")

    /// The string has no `1` separating the human-readable part from the data.
    public static let missingSeparator = NIP19Error("missing the '1' separator")

    /// Nothing precedes the separator.
    public static let emptyHumanReadablePart = NIP19Error("empty human-readable part")

    /// Fewer than six characters follow the separator, so there is no room for the checksum.
    public static let checksumTooShort = NIP19Error("data part shorter than the 6-character checksum")

    /// The checksum does not match: the string was mistyped or altered.
    public static let badChecksum = NIP19Error("bad checksum")

    /// The 5-bit groups do not convert to whole bytes: more than 4 padding bits, or non-zero padding bits.
    public static let invalidPadding = NIP19Error("invalid padding in the data part")

    // MARK: NIP-19

    /// The human-readable part names no supported entity.
    public static func unknownPrefix(_ prefix: String) -> NIP19Error {
        NIP19Error("unknown prefix '\(prefix)'")
    }

    /// A bare `npub`, `nsec` or `note` does not carry exactly 32 bytes.
    public static func wrongDataLength(prefix: String, length: Int) -> NIP19Error {
        NIP19Error("\(prefix) carries \(length) bytes instead of 32")
    }

    /// The `nsec` bytes are zero or not below the secp256k1 group order.
    public static let invalidSecretKey = NIP19Error("nsec is not a valid secp256k1 secret key")

    /// A TLV record's header or value runs past the end of the data.
    public static let truncatedTLV = NIP19Error("truncated TLV record")

    /// A TLV record of a known type has the wrong length.
    public static func wrongTLVLength(type: UInt8, length: Int, expected: Int) -> NIP19Error {
        NIP19Error("TLV type \(type) has length \(length) instead of \(expected)")
    }

    /// A required TLV record (the special type 0, or an `naddr`'s author or kind) is absent.
    public static func missingTLV(type: UInt8, prefix: String) -> NIP19Error {
        NIP19Error("\(prefix) lacks the required TLV type \(type)")
    }

    /// A TLV string (relay or `naddr` identifier) is not valid UTF-8.
    public static func invalidUTF8(type: UInt8) -> NIP19Error {
        NIP19Error("TLV type \(type) is not valid UTF-8")
    }

    /// An `naddr` identifier is longer than a TLV record can hold (255 bytes).
    public static func identifierTooLong(_ length: Int) -> NIP19Error {
        NIP19Error("an naddr identifier holds at most 255 UTF-8 bytes, not \(length)")
    }

    /// A kind record holds a value beyond 65535.
    public static func kindOutOfRange(_ value: UInt32) -> NIP19Error {
        NIP19Error("kind \(value) is outside 0...65535")
    }
}
