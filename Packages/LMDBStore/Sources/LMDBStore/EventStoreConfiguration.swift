import NostrCore

/// How an `EventStore` is opened and bounded.
public struct EventStoreConfiguration: Sendable {
    /// The LMDB directory (`storage.path`).
    public var path: String
    /// Initial map size in GiB (`storage.map_size_gb`); the map grows by doubling when full.
    public var mapSizeGB: Int
    /// Open for reading only, e.g. the analytics worker next to a running relay.
    public var readOnly: Bool
    /// The limit of a filter that gives none (`limits.default_limit`).
    public var defaultLimit: Int
    /// The largest limit a filter may ask for (`limits.max_limit`); larger ones are lowered.
    public var maxLimit: Int
    /// Events waiting for the writer at most; past it `save` fails with `StoreError.overloaded`.
    public var maxQueuedEvents: Int
    /// Events committed in one write transaction at most.
    public var maxBatchEvents: Int
    /// Events a negentropy sync or an unlimited count may walk at most.
    public var maxScanEvents: Int
    /// Called after commit with each event a newer version replaced (for the history archive).
    public var onReplace: (@Sendable (Event) -> Void)?
    /// Called after each write transaction with its number of events and its duration (metrics).
    public var onCommit: (@Sendable (_ events: Int, _ duration: Duration) -> Void)?
    /// The current Unix time; tests replace it.
    public var clock: @Sendable () -> Int64

    /// A configuration with the defaults of `config.json`.
    public init(
        path: String, mapSizeGB: Int = 16, readOnly: Bool = false, defaultLimit: Int = 500, maxLimit: Int = 5000,
        maxQueuedEvents: Int = 100_000, maxBatchEvents: Int = 10_000, maxScanEvents: Int = 1_000_000,
        onReplace: (@Sendable (Event) -> Void)? = nil, clock: @escaping @Sendable () -> Int64 = EventStore.unixTime
    ) {
        self.path = path
        self.mapSizeGB = mapSizeGB
        self.readOnly = readOnly
        self.defaultLimit = defaultLimit
        self.maxLimit = maxLimit
        self.maxQueuedEvents = maxQueuedEvents
        self.maxBatchEvents = maxBatchEvents
        self.maxScanEvents = maxScanEvents
        self.onReplace = onReplace
        self.clock = clock
    }
}

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

/// What saving one event did, and the sequence number it got if it was stored now.
public struct SavedEvent: Sendable, Hashable {
    /// What happened.
    public var outcome: SaveOutcome
    /// Stored events are numbered in commit order; a query whose snapshot is above this number saw
    /// the event. `nil` when the event was not stored by this save.
    public var sequence: UInt64?
}

/// Why the store could not do what was asked.
public enum StoreError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The store on disk has another schema version.
    case schemaMismatch(path: String, found: UInt32, expected: UInt32)
    /// A read-only store was asked to write.
    case readOnly
    /// The writer's queue is full.
    case overloaded(queued: Int)
    /// The store was closed.
    case closed
    /// A read-only open found no store at the path.
    case missing(path: String)
    /// A stored record could not be read back (corruption).
    case corrupt(String)
    /// More events match than a scan may walk (`maxScanEvents`).
    case tooManyResults(limit: Int)

    public var description: String {
        switch self {
        case .schemaMismatch(let path, let found, let expected):
            "the event store at \(path) has schema version \(found), this build reads version \(expected)"
        case .readOnly: "the event store is open read-only"
        case .overloaded(let queued): "the event store's write queue is full (\(queued) events waiting)"
        case .closed: "the event store is closed"
        case .missing(let path): "no event store at \(path)"
        case .corrupt(let what): "the event store is corrupt: \(what)"
        case .tooManyResults(let limit): "more than \(limit) events match"
        }
    }
}

/// Counts the store keeps as it writes, so they cost no scan.
public struct StoreStatistics: Sendable, Hashable {
    /// Events stored.
    public var totalEvents: Int
    /// Events stored per kind.
    public var eventsByKind: [Kind: Int]
    /// Bytes of the LMDB file in use.
    public var sizeBytes: Int
}

/// One stored event as a query hands it out. `json` points into the store and is valid only
/// during the callback.
public struct StoredEvent {
    /// The event's JSON, as stored.
    public var json: UnsafeRawBufferPointer
    /// `created_at`.
    public var createdAt: Int64
}
