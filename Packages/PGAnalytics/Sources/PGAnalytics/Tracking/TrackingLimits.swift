/// How much a `TrackingSink` holds in memory between two flushes.
///
/// The sink sits on the relay's hot path and PostgreSQL may be away for a while: these bounds keep
/// its memory flat whatever the traffic and however long the database is down.
public struct TrackingLimits: Sendable, Equatable {
    /// Distinct aggregate keys (a pubkey, a pubkey and kind, a pair of authors, an IP and hour...)
    /// held over all tables between flushes (the storage snapshot, one a day, aside). Past it, new
    /// keys are dropped and counted, while keys already held keep counting, so the totals of what
    /// is held stay exact.
    public var maxKeys: Int
    /// Replaced events held for `event_history` between flushes; later ones are dropped and counted.
    public var maxHistoryEvents: Int
    /// Only filters naming at most this many distinct authors count as looked up together
    /// (co-occurrence pairs): larger ones are feeds, and pairs grow with the square of the authors.
    public var cooccurrenceAuthors: Int
    /// Relay directory URLs (a changed row or a removal each) held for `relay_directory` between
    /// flushes, apart from `maxKeys`. Past it, new URLs are dropped and counted with the dropped
    /// keys, while URLs already held still take their latest change.
    public var maxRelayDirectoryRows: Int

    /// The relay's defaults (`analytics.max_pending_keys` is `maxKeys`).
    public init(
        maxKeys: Int = 200_000, maxHistoryEvents: Int = 50_000, cooccurrenceAuthors: Int = 20,
        maxRelayDirectoryRows: Int = 100_000
    ) {
        precondition(
            maxKeys >= 0 && maxHistoryEvents >= 0 && cooccurrenceAuthors >= 0 && maxRelayDirectoryRows >= 0,
            "limits cannot be negative")
        self.maxKeys = maxKeys
        self.maxHistoryEvents = maxHistoryEvents
        self.cooccurrenceAuthors = cooccurrenceAuthors
        self.maxRelayDirectoryRows = maxRelayDirectoryRows
    }
}
