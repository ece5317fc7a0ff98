/// NIP-19: the bech32-encoded forms of keys, event ids and shareable pointers (`npub1…`, `nevent1…`, …) that
/// clients show to people. They never appear inside events or filters, which use hex.
public enum NIP19 {
    /// One decoded NIP-19 entity.
    public enum Entity: Sendable, Hashable {
        /// `npub`: a public key.
        case npub(PublicKey)
        /// `nsec`: a secret key.
        case nsec(SecretKey)
        /// `note`: an event id.
        case note(EventID)
        /// `nprofile`: a public key with relays where the profile is likely to be found.
        case nprofile(PublicKey, relays: [String])
        /// `nevent`: an event id with relay hints and, optionally, its author and kind.
        case nevent(EventID, relays: [String], author: PublicKey?, kind: Kind?)
        /// `naddr`: the coordinate of an addressable or replaceable event (its `d` tag, author and kind) with
        /// relay hints.
        case naddr(identifier: String, author: PublicKey, kind: Kind, relays: [String])

        /// The bech32 human-readable part this entity is encoded under.
        public var prefix: String {
            switch self {
            case .npub: return "npub"
            case .nsec: return "nsec"
            case .note: return "note"
            case .nprofile: return "nprofile"
            case .nevent: return "nevent"
            case .naddr: return "naddr"
            }
        }
    }

    /// The lowercase bech32 string of `entity`.
    ///
    /// Relays longer than 255 UTF-8 bytes do not fit a TLV record and are left out. An `naddr` identifier
    /// longer than 255 UTF-8 bytes cannot be represented and throws ``NIP19Error/identifierTooLong(_:)``.
    public static func encode(_ entity: Entity) throws(NIP19Error) -> String {
        var tlv = TLV()
        switch entity {
        case .npub(let key):
            return Bech32.encode(hrp: entity.prefix, data: key.raw.bytes)
        case .nsec(let key):
            return Bech32.encode(hrp: entity.prefix, data: key.raw.bytes)
        case .note(let id):
            return Bech32.encode(hrp: entity.prefix, data: id.raw.bytes)
        case .nprofile(let key, let relays):
            tlv.append(type: TLV.special, value: key.raw.bytes)
            appendRelays(relays, to: &tlv)
        case .nevent(let id, let relays, let author, let kind):
            tlv.append(type: TLV.special, value: id.raw.bytes)
            appendRelays(relays, to: &tlv)
            if let author { tlv.append(type: TLV.author, value: author.raw.bytes) }
            if let kind { tlv.append(kind: kind) }
        case .naddr(let identifier, let author, let kind, let relays):
            guard identifier.utf8.count <= 255 else { throw .identifierTooLong(identifier.utf8.count) }
            tlv.append(type: TLV.special, value: identifier.utf8)
            appendRelays(relays, to: &tlv)
            tlv.append(type: TLV.author, value: author.raw.bytes)
            tlv.append(kind: kind)
        }
        return Bech32.encode(hrp: entity.prefix, data: tlv.bytes)
    }

    /// Decodes a NIP-19 string (all lowercase or all uppercase).
    ///
    /// TLV records of unknown types are ignored; of several records of a single-valued type the first wins.
    /// Throws a distinct ``NIP19Error`` for malformed bech32, an unknown prefix, a bare key or id that is not
    /// 32 bytes, an invalid secret key, truncated TLV data, a known TLV type with the wrong length, a missing
    /// required record (type 0 everywhere; author and kind for `naddr`), non-UTF-8 strings, and kinds beyond
    /// 65535.
    public static func decode(_ string: String) throws(NIP19Error) -> Entity {
        let (prefix, data) = try Bech32.decode(string)
        switch prefix {
        case "npub":
            return .npub(PublicKey(try bare32(data, prefix: prefix)))
        case "nsec":
            guard let key = SecretKey(try bare32(data, prefix: prefix)) else { throw .invalidSecretKey }
            return .nsec(key)
        case "note":
            return .note(EventID(try bare32(data, prefix: prefix)))
        case "nprofile":
            let tlv = try TLV(parsing: data)
            guard let key = try tlv.bytes32(of: TLV.special) else {
                throw .missingTLV(type: TLV.special, prefix: prefix)
            }
            return .nprofile(PublicKey(key), relays: try tlv.strings(of: TLV.relay))
        case "nevent":
            let tlv = try TLV(parsing: data)
            guard let id = try tlv.bytes32(of: TLV.special) else {
                throw .missingTLV(type: TLV.special, prefix: prefix)
            }
            let relays = try tlv.strings(of: TLV.relay)
            let author = try tlv.bytes32(of: TLV.author).map(PublicKey.init)
            return .nevent(EventID(id), relays: relays, author: author, kind: try tlv.kind())
        case "naddr":
            let tlv = try TLV(parsing: data)
            guard let identifier = try tlv.strings(of: TLV.special).first else {
                throw .missingTLV(type: TLV.special, prefix: prefix)
            }
            let relays = try tlv.strings(of: TLV.relay)
            guard let author = try tlv.bytes32(of: TLV.author) else {
                throw .missingTLV(type: TLV.author, prefix: prefix)
            }
            guard let kind = try tlv.kind() else { throw .missingTLV(type: TLV.kind, prefix: prefix) }
            return .naddr(identifier: identifier, author: PublicKey(author), kind: kind, relays: relays)
        default:
            throw .unknownPrefix(prefix)
        }
    }

    /// The 32 bytes of a bare `npub`, `nsec` or `note`.
    private static func bare32(_ data: [UInt8], prefix: String) throws(NIP19Error) -> Bytes32 {
        guard let raw = Bytes32(data) else { throw .wrongDataLength(prefix: prefix, length: data.count) }
        return raw
    }

    /// Appends a relay record for each relay that fits in one (at most 255 UTF-8 bytes).
    private static func appendRelays(_ relays: [String], to tlv: inout TLV) {
        for relay in relays where relay.utf8.count <= 255 { tlv.append(type: TLV.relay, value: relay.utf8) }
    }
}

extension PublicKey {
    /// The NIP-19 `npub1…` form.
    public var npub: String { Bech32.encode(hrp: "npub", data: raw.bytes) }

    /// Decodes an `npub1…` string; `nil` for anything else, including other NIP-19 entities.
    public init?(npub: String) {
        guard case .npub(let key)? = try? NIP19.decode(npub) else { return nil }
        self = key
    }
}

extension EventID {
    /// The NIP-19 `note1…` form.
    public var note: String { Bech32.encode(hrp: "note", data: raw.bytes) }

    /// Decodes a `note1…` string; `nil` for anything else, including other NIP-19 entities.
    public init?(note: String) {
        guard case .note(let id)? = try? NIP19.decode(note) else { return nil }
        self = id
    }
}
