/// The coordinate that identifies a replaceable or addressable event across versions:
/// `kind:pubkey:d`, where replaceable kinds and a missing `d` tag both use `""`.
public struct EventAddress: Sendable, Hashable, CustomStringConvertible {
    /// The kind.
    public var kind: Kind
    /// The author.
    public var pubkey: PublicKey
    /// The `d` tag's value (`""` for replaceable kinds or when absent).
    public var identifier: String

    /// Creates an address.
    public init(kind: Kind, pubkey: PublicKey, identifier: String) {
        self.kind = kind
        self.pubkey = pubkey
        self.identifier = identifier
    }

    /// The `kind:pubkey:d` form used in `a` tags.
    public var description: String { "\(kind.rawValue):\(pubkey.hex):\(identifier)" }

    /// Parses `kind:pubkey:d`; `nil` when malformed. The kind must be written canonically (decimal
    /// digits, no sign, no leading zero), so every address has exactly one spelling.
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let first = parts[0].utf8.first, parts[0].utf8.count <= 5,
            parts[0].utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }),
            first != UInt8(ascii: "0") || parts[0].utf8.count == 1,
            let number = Int(parts[0]), let kind = Kind(number),
            let pubkey = PublicKey(hex: parts[1])
        else { return nil }
        self.init(kind: kind, pubkey: pubkey, identifier: String(parts[2]))
    }
}

extension Event {
    /// The `d` tag's first value, or `""` when there is none (NIP-01: a missing `d` equals `""`).
    public var dTag: String { tags.first(named: "d")?.value ?? "" }

    /// The address under which only the newest version is kept; `nil` for regular and ephemeral kinds.
    public var address: EventAddress? {
        switch kind.storageClass {
        case .replaceable: return EventAddress(kind: kind, pubkey: pubkey, identifier: "")
        case .addressable: return EventAddress(kind: kind, pubkey: pubkey, identifier: dTag)
        case .regular, .ephemeral: return nil
        }
    }

    /// Whether `self` supersedes `other` as a version of the same address: newer `created_at`, or
    /// the same `created_at` and the lower id (NIP-01).
    public func supersedes(_ other: Event) -> Bool {
        createdAt != other.createdAt ? createdAt > other.createdAt : id < other.id
    }

    /// The NIP-40 expiration time, if the event has a valid `expiration` tag.
    public var expiration: Int64? {
        guard let value = tags.first(named: "expiration")?.value else { return nil }
        return Int64(value)
    }

    /// Whether the event carries NIP-70's `["-"]` tag (publishable only by its authenticated author).
    public var isProtected: Bool { tags.contains { $0.count == 1 && $0.hasSingleLetterName(UInt8(ascii: "-")) } }
}
