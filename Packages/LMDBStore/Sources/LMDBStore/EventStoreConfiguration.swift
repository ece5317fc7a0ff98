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
    /// Who runs the single writer: the store, on a thread of its own (the default), or the caller
    /// (`EventStore.runWriter()`, e.g. as a service of the relay's service group).
    public var writerThread: WriterThread = .own

    /// Who runs an `EventStore`'s single writer.
    public enum WriterThread: Sendable {
        /// The store starts a thread of its own when it opens and stops it in `close()`.
        case own
        /// The caller runs `EventStore.runWriter()` on a thread of its choice; writes queue until
        /// it runs, and `close()` waits for it to return.
        case external
    }

    /// A configuration with the defaults of `config.json` (`limits.default_limit` 500,
    /// `limits.max_limit` 2000, `storage.map_size_gb` 16).
    public init(
        path: String, mapSizeGB: Int = 16, readOnly: Bool = false, defaultLimit: Int = 500, maxLimit: Int = 2000,
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
