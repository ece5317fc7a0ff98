/// What the directory knows about one relay: when it was found, how popular it is, and how its
/// visits went. The scheduler orders visits by these fields; the tracking sink mirrors them.
public struct RelayRecord: Sendable, Equatable {
    /// The relay's URL, normalised by the caller (the directory compares URLs as given).
    public var url: String
    /// When the relay was first seen, in unix seconds.
    public var firstSeen: Int64
    /// How many pubkeys' kind 10002 lists name it.
    public var listedBy: Int
    /// A configured seed relay: never evicted.
    public var isSeed: Bool
    /// When the last visit ended (success or failure), in unix seconds; nil before the first.
    public var lastAttempt: Int64?
    /// When the last successful visit ended, in unix seconds; nil if none succeeded.
    public var lastSuccess: Int64?
    /// Failed visits since the last success: what the backoff grows with.
    public var consecutiveFailures: Int
    /// The relay is due at or after this time (unix seconds).
    public var nextAttempt: Int64
    /// Visits finished, successful or not.
    public var visits: Int
    /// Visits that failed, in total.
    public var failures: Int
    /// Events stored from this relay over all visits.
    public var eventsContributed: Int
    /// Bytes received from this relay over all visits.
    public var bytesReceived: Int64
    /// Whether it answers NIP-77 (negentropy); nil while unknown.
    public var supportsNegentropy: Bool?
    /// The last visit's error, at most `RelayRecord.maxErrorLength` characters; nil after a clean visit.
    public var lastError: String?

    /// The longest `lastError` kept: enough to tell causes apart without letting a chatty relay
    /// bloat a directory of 100,000 mostly dead relays.
    public static let maxErrorLength = 200

    /// A record with every field given; the counters default to a relay never visited.
    public init(
        url: String, firstSeen: Int64, listedBy: Int = 0, isSeed: Bool = false, lastAttempt: Int64? = nil,
        lastSuccess: Int64? = nil, consecutiveFailures: Int = 0, nextAttempt: Int64, visits: Int = 0,
        failures: Int = 0, eventsContributed: Int = 0, bytesReceived: Int64 = 0, supportsNegentropy: Bool? = nil,
        lastError: String? = nil
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
        self.lastError = lastError.map { String($0.prefix(Self.maxErrorLength)) }
    }

    /// Whether the relay is known to be unreachable now (its last visit failed), which is what makes
    /// it evictable; a relay never visited has not shown that yet.
    var isFailing: Bool { consecutiveFailures > 0 }
}
