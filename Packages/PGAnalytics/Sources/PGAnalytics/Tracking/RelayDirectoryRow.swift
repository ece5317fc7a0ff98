import Foundation

/// One relay of the network crawler's directory, as `relay_directory` holds it: the whole row,
/// recorded through `TrackingSink.recordRelayDirectory(changed:removed:now:)` whenever it changes.
public struct RelayDirectoryRow: Sendable, Equatable {
    /// The relay's URL (`wss://...`), as the directory spells it; the table's key.
    public var url: String
    /// When the crawler first heard of the relay.
    public var firstSeen: Date
    /// How many relay lists (kind 10002) name the relay.
    public var listedBy: Int
    /// Whether the relay is one of the crawler's seeds (configured, not discovered).
    public var isSeed: Bool
    /// The latest visit, whatever its outcome; nil before the first.
    public var lastAttempt: Date?
    /// The latest visit that worked; nil while none has.
    public var lastSuccess: Date?
    /// Visits that failed since the last one that worked.
    public var consecutiveFailures: Int
    /// When the crawler means to visit the relay next.
    public var nextAttempt: Date
    /// Visits in total.
    public var visits: Int
    /// Failed visits in total.
    public var failures: Int
    /// Events the crawler took into the store from the relay, in total.
    public var eventsContributed: Int
    /// Bytes read from the relay in total.
    public var bytesReceived: Int64
    /// Whether the relay speaks NIP-77 (negentropy); nil until a visit found out.
    public var supportsNegentropy: Bool?
    /// Why the latest failed visit failed; nil when there is nothing to tell.
    public var lastError: String?

    /// A row of the given values.
    public init(
        url: String, firstSeen: Date, listedBy: Int, isSeed: Bool, lastAttempt: Date?, lastSuccess: Date?,
        consecutiveFailures: Int, nextAttempt: Date, visits: Int, failures: Int, eventsContributed: Int,
        bytesReceived: Int64, supportsNegentropy: Bool?, lastError: String?
    ) {
        self.url = url
        self.firstSeen = firstSeen
        self.listedBy = listedBy
        self.isSeed = isSeed
        self.lastAttempt = lastAttempt
        self.lastSuccess = lastSuccess
        self.consecutiveFailures = consecutiveFailures
        self.nextAttempt = nextAttempt
        self.visits = visits
        self.failures = failures
        self.eventsContributed = eventsContributed
        self.bytesReceived = bytesReceived
        self.supportsNegentropy = supportsNegentropy
        self.lastError = lastError
    }
}
