import LMDB
import NostrCore

/// Every table of the event store and the layout of its keys and values, declared in one place.
///
/// Each event gets a local sequence number, its *levId* (8 bytes, big-endian, never reused). Indexes
/// are duplicate-sorted tables whose values are 16-byte `IndexEntry`s (`created_at`, levId), so the
/// entries under one key are sorted by time and packed densely (`MDB_DUPFIXED`): a `p` tag costs
/// 16 bytes, not a B-tree node. Integers are big-endian so byte order is numeric order.
enum Schema {
    /// Bump when any layout below changes; opening a store of another version fails clearly.
    static let version: UInt32 = 3

    /// The tables, with their flags.
    enum Table: String, CaseIterable {
        /// `InfoKey` → its value.
        case info
        /// levId(8) → the event's JSON. Small events sit in leaf pages; large ones in contiguous
        /// overflow pages, so every read is a pointer into the map, never a copy. Keys only grow, so
        /// writes append.
        case payloads
        /// levId(8) → `EventMeta` (82 bytes): what filters check without parsing JSON.
        case metas
        /// id(32) → levId(8).
        case ids
        /// `[0]` → entries of every event: the created_at index.
        case byCreatedAt
        /// kind(2) → entries.
        case byKind
        /// pubkey(32) + kind(2) → entries; an authors-only scan walks the kinds under the pubkey.
        case byPubkeyKind
        /// letter(1) + `TagValueCode` + kind(2) → entries, for each event's single-letter tags (first
        /// value, once per letter and value). `{"kinds":[3],"#p":[x]}` is exactly one key.
        case byTag
        /// `AddressKey` → levId(8) + created_at(8) of the version kept for a replaceable or
        /// addressable address; authors x replaceable kinds queries are answered from here alone.
        case addresses
        /// expiration(8) + levId(8) → empty: what the NIP-40 sweep walks.
        case expirations
        /// deleted id(32) + deleter pubkey(32) → empty: NIP-09 tombstones.
        case deletions
        /// `AddressKey` → created_at(8) of the newest kind 5 `a` deletion of that address.
        case addressDeletions
        /// kind(2) → count(8) of stored events.
        case kindCounts

        var flags: DatabaseFlags {
            switch self {
            case .byCreatedAt, .byKind, .byPubkeyKind, .byTag: [.duplicateSort, .duplicateFixed]
            default: []
            }
        }
    }

    /// The keys of the `info` table.
    enum InfoKey: String, CaseIterable {
        /// → u32: the layout version the store was written with (`Schema.version`).
        case schemaVersion = "schema-version"
        /// → u64: the levId the next stored event gets.
        case nextLevID = "next-lev-id"
        /// → u64: events with an expiration tag still stored (0 lets queries skip expiry checks).
        case expirable = "expirable"

        /// The key's bytes.
        var bytes: [UInt8] { Array(rawValue.utf8) }
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func bigEndian(_ value: UInt16) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }

    static func readUInt64(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> UInt64 {
        UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    static func readUInt16(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt16 {
        UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }
}

/// One index value: (created_at, levId), 16 bytes big-endian, so entries sort by time.
struct IndexEntry: Hashable, Comparable {
    var createdAt: UInt64
    var levID: UInt64

    static let size = 16
    static let smallest = IndexEntry(createdAt: 0, levID: 0)
    static let largest = IndexEntry(createdAt: .max, levID: .max)

    init(createdAt: UInt64, levID: UInt64) {
        self.createdAt = createdAt
        self.levID = levID
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        createdAt = Schema.readUInt64(bytes)
        levID = Schema.readUInt64(bytes, at: 8)
    }

    var bytes: [UInt8] { Schema.bigEndian(createdAt) + Schema.bigEndian(levID) }

    static func < (lhs: IndexEntry, rhs: IndexEntry) -> Bool {
        (lhs.createdAt, lhs.levID) < (rhs.createdAt, rhs.levID)
    }
}

/// What queries check without parsing JSON: id(32) pubkey(32) created_at(8) kind(2) expiration(8).
struct EventMeta: Hashable {
    var id: EventID
    var pubkey: PublicKey
    var createdAt: UInt64
    var kind: Kind
    /// 0 when the event has no (valid) expiration tag.
    var expiration: UInt64

    static let size = 82

    init(_ event: Event) {
        id = event.id
        pubkey = event.pubkey
        createdAt = UInt64(event.createdAt)
        kind = event.kind
        expiration = event.expiration.map { UInt64(max($0, 1)) } ?? 0
    }

    init(_ bytes: UnsafeRawBufferPointer) {
        id = EventID(Bytes32(loadingFrom: bytes.baseAddress!))
        pubkey = PublicKey(Bytes32(loadingFrom: bytes.baseAddress! + 32))
        createdAt = Schema.readUInt64(bytes, at: 64)
        kind = Kind(rawValue: Schema.readUInt16(bytes, at: 72))
        expiration = Schema.readUInt64(bytes, at: 74)
    }

    var bytes: [UInt8] {
        id.raw.bytes + pubkey.raw.bytes + Schema.bigEndian(createdAt) + Schema.bigEndian(kind.rawValue)
            + Schema.bigEndian(expiration)
    }

    var entry: IndexEntry { IndexEntry(createdAt: createdAt, levID: 0) }
}

/// How a tag value (or `d` identifier) appears inside keys: 64 lowercase hex as its 32 bytes, short
/// values verbatim with their length, long ones as their SHA-256 (keys are at most 511 bytes).
enum TagValueCode {
    static let hex: UInt8 = 1
    static let verbatim: UInt8 = 2
    static let hashed: UInt8 = 3
    static let verbatimLimit = 200

    static func encode(_ value: UnsafeRawBufferPointer) -> [UInt8] {
        if value.count == 64, let raw = Bytes32(hexASCII: value) { return [hex] + raw.bytes }
        if value.count <= verbatimLimit { return [verbatim, UInt8(value.count)] + Array(value) }
        return [hashed] + Bytes32.sha256(of: value).bytes
    }

    static func encode(_ value: String) -> [UInt8] {
        var value = value
        return value.withUTF8 { encode(UnsafeRawBufferPointer($0)) }
    }

    /// Whether keys with this code can collide (hashed values): matches must then be re-checked.
    static func isExact(_ code: [UInt8]) -> Bool { code.first != hashed }
}

/// The key of a replaceable or addressable address: pubkey(32) + kind(2) + `TagValueCode` of `d`.
/// Author first, so one author's profile, follow list and relay list sit side by side.
enum AddressKey {
    static func make(_ address: EventAddress) -> [UInt8] {
        address.pubkey.raw.bytes + Schema.bigEndian(address.kind.rawValue) + TagValueCode.encode(address.identifier)
    }
}

/// The index keys an event is filed under.
enum IndexKeys {
    static let createdAtKey: [UInt8] = [0]

    static func kind(_ kind: Kind) -> [UInt8] { Schema.bigEndian(kind.rawValue) }

    static func pubkeyKind(_ pubkey: PublicKey, _ kind: Kind) -> [UInt8] {
        pubkey.raw.bytes + Schema.bigEndian(kind.rawValue)
    }

    /// letter + value code, without the kind: the prefix every kind of one tag value shares.
    static func tagPrefix(letter: UInt8, valueCode: [UInt8]) -> [UInt8] { [letter] + valueCode }

    /// The (letter, value code) pairs of an event's indexable tags: single-letter names, first
    /// value only. Repeats are left in; index writes skip them.
    static func tagPrefixes(_ tags: Tags) -> [[UInt8]] {
        var prefixes: [[UInt8]] = []
        prefixes.reserveCapacity(tags.count)
        for tag in tags where tag.count > 1 {
            let letter: UInt8? = tag.withBytes(at: 0) { name in
                guard name.count == 1 else { return nil }
                let byte = name[0]
                let isLetter = (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                return isLetter ? byte : nil
            }
            guard let letter else { continue }
            prefixes.append(tagPrefix(letter: letter, valueCode: tag.withBytes(at: 1) { TagValueCode.encode($0) }))
        }
        return prefixes
    }
}
