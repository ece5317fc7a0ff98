// The keys and values the sink aggregates into, one pair per table, and the rule each value
// follows when two of them meet (a later record, or a failed flush merged back).

/// A pending value that absorbs another for the same key.
protocol TrackingTally {
    /// Combines `other`, the newer of the two, into `self`.
    mutating func absorb(_ other: Self)
}

extension Int64: TrackingTally {
    mutating func absorb(_ other: Int64) { self += other }
}

/// A count and the latest time it was bumped (`total_requests` and `last_request`...).
struct CountAndLatest: TrackingTally {
    var count: Int64
    /// Microseconds since 1970, UTC.
    var latest: Int64

    mutating func absorb(_ other: CountAndLatest) {
        count += other.count
        latest = max(latest, other.latest)
    }
}

/// One IP's traffic in one hour or day.
struct Traffic: TrackingTally {
    var requests: Int64
    var eventsServed: Int64

    mutating func absorb(_ other: Traffic) {
        requests += other.requests
        eventsServed += other.eventsServed
    }
}

/// A day's storage figures; the newer snapshot replaces the older.
struct StorageSnapshot {
    var storeBytes: Int64
    var eventCount: Int64
    /// Microseconds since 1970, UTC.
    var recordedAt: Int64
}

/// `req_pubkey_kind_popularity`'s key.
struct PubkeyKind: Hashable {
    var pubkey: String
    var kind: Int
}

/// `req_author_cooccurrence`'s key: always `a < b`, so a pair has one spelling.
struct AuthorPair: Hashable {
    var a: String
    var b: String
}

/// `req_kind_daily`'s key; `day` counts days since 1970 (UTC).
struct DayKind: Hashable {
    var day: Int64
    var kind: Int
}

/// The traffic tables' key: `bucket` is the hour's first second, or the day number, since 1970 (UTC).
struct BucketIP: Hashable {
    var bucket: Int64
    var ip: String
}

/// `rejected_events`' key.
struct KindPubkey: Hashable {
    var kind: Int
    var pubkey: String
}

/// Admits new keys up to the bound and counts those it turns away; existing keys always absorb.
struct KeyBudget {
    let limit: Int
    /// Keys held now, over every table.
    var held = 0
    /// New keys turned away since the sink was created.
    var dropped = 0

    /// Adds `value` at `key` in `table`: absorbed by the value there, inserted while the budget
    /// allows, dropped and counted otherwise.
    mutating func tally<Key: Hashable, Value: TrackingTally>(_ table: inout [Key: Value], _ key: Key, _ value: Value) {
        if let index = table.index(forKey: key) {
            table.values[index].absorb(value)
        } else if held < limit {
            table[key] = value
            held += 1
        } else {
            dropped += 1
        }
    }

    /// Tallies every entry of `other` into `table`.
    mutating func merge<Key: Hashable, Value: TrackingTally>(_ table: inout [Key: Value], _ other: [Key: Value]) {
        for (key, value) in other { tally(&table, key, value) }
    }
}
