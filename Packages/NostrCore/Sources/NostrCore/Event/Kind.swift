/// An event kind (0...65535) and its NIP-01 storage class.
public struct Kind: RawRepresentable, Hashable, Comparable, Sendable, ExpressibleByIntegerLiteral,
    CustomStringConvertible
{
    /// The kind number.
    public var rawValue: UInt16

    /// Wraps a kind number.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Wraps a kind number; `nil` outside 0...65535.
    public init?(_ value: Int) {
        guard let raw = UInt16(exactly: value) else { return nil }
        self.rawValue = raw
    }

    /// A kind written as a number literal.
    public init(integerLiteral value: UInt16) { self.rawValue = value }

    /// How a relay stores events of this kind (NIP-01).
    public var storageClass: StorageClass {
        switch rawValue {
        case 0, 3, 10000..<20000: return .replaceable
        case 20000..<30000: return .ephemeral
        case 30000..<40000: return .addressable
        default: return .regular
        }
    }

    public var description: String { String(rawValue) }
    public static func < (lhs: Kind, rhs: Kind) -> Bool { lhs.rawValue < rhs.rawValue }

    /// Kind 0: user metadata (profile).
    public static let metadata: Kind = 0
    /// Kind 3: follow list.
    public static let followList: Kind = 3
    /// Kind 5: deletion request (NIP-09).
    public static let deletion: Kind = 5
    /// Kind 10000: mute list (NIP-51).
    public static let muteList: Kind = 10000
    /// Kind 10002: relay list metadata (NIP-65).
    public static let relayList: Kind = 10002
    /// Kind 22242: client authentication (NIP-42).
    public static let clientAuthentication: Kind = 22242
}

/// The four ways NIP-01 tells a relay to store events.
public enum StorageClass: Sendable, Hashable {
    /// Every event is kept.
    case regular
    /// Only the newest event per (kind, pubkey) is kept: kinds 0, 3 and 10000-19999.
    case replaceable
    /// Never stored, only relayed: kinds 20000-29999.
    case ephemeral
    /// Only the newest event per (kind, pubkey, `d` tag) is kept: kinds 30000-39999.
    case addressable
}
