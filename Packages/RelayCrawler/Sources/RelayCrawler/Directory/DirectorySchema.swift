import LMDB

/// The directory's LMDB layout, declared in one place. The directory has its own small environment
/// (not the event store's), so it can be rebuilt or deleted without touching events.
enum DirectorySchema {
    /// The layout version written at creation and checked at every open.
    static var version: UInt32 { UInt32(RelayCrawler.directorySchemaVersion) }

    /// The named databases.
    enum Table: String, CaseIterable {
        /// `MetaKey` → its value.
        case meta
        /// relay url (UTF-8) → `DirectoryCodec.encode(RelayRecord)`.
        case relays
        /// relay url + 0x00 + stream name → `DirectoryCodec.encode(SyncCursor)`.
        case cursors
        /// pubkey (as given, 64 hex) → `DirectoryCodec.encode(OutboxState)`.
        case outbox
    }

    /// The keys of the `meta` database.
    enum MetaKey: String {
        /// → u32 big-endian: the layout version (`DirectorySchema.version`).
        case schemaVersion = "schema-version"
        /// → u64 big-endian: the event store sequence number discovery has read up to.
        case discoveryCheckpoint = "discovery-checkpoint"

        /// The key's bytes.
        var bytes: [UInt8] { Array(rawValue.utf8) }
    }

    /// LMDB's largest key in bytes (its default build).
    static let maxKeyBytes = 511

    /// The longest relay URL the directory takes, in UTF-8 bytes: far beyond any real relay's, and
    /// short enough that a cursor key (url, 0, stream name) stays within LMDB's key limit.
    static let maxURLBytes = 400

    /// Whether `url` can be a key of the directory.
    static func isStorable(_ url: String) -> Bool {
        !url.isEmpty && url.utf8.count <= maxURLBytes
    }

    /// The `cursors` key of (relay, stream), or nil when it would exceed LMDB's key limit.
    static func cursorKey(relay: String, stream: String) -> [UInt8]? {
        let key = Array(relay.utf8) + [0] + Array(stream.utf8)
        return key.count <= maxKeyBytes ? key : nil
    }

    /// The `outbox` key of a pubkey, or nil when it would exceed LMDB's key limit.
    static func outboxKey(_ pubkey: String) -> [UInt8]? {
        let key = Array(pubkey.utf8)
        return !key.isEmpty && key.count <= maxKeyBytes ? key : nil
    }

    static func bigEndian(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
    static func bigEndian(_ value: UInt32) -> [UInt8] { withUnsafeBytes(of: value.bigEndian) { Array($0) } }
}

/// Why the directory could not be opened.
public enum DirectoryError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The directory at `path` was written with another layout version.
    case schemaMismatch(path: String, found: UInt32, expected: UInt32)
    /// A stored value could not be decoded.
    case corrupt(path: String, table: String, key: String)

    public var description: String {
        switch self {
        case .schemaMismatch(let path, let found, let expected):
            "relay directory at \(path) has schema version \(found), this build reads version \(expected); "
                + "move the directory aside (the crawler rebuilds it from the event store's relay lists)"
        case .corrupt(let path, let table, let key):
            "relay directory at \(path): the value of \(key) in \(table) cannot be decoded"
        }
    }
}
