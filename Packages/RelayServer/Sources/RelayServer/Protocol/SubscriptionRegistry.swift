import NostrCore
import Synchronization

/// Every live subscription of every connection, indexed for fan-out.
///
/// Each filter is filed under one field of its own (ids, else authors, else its first tag
/// condition, else kinds, else "every event"), so a new event only meets the filters filed under
/// its id, author, tags or kind, plus the catch-alls, and only those are fully matched. This is
/// strfry's ActiveMonitors idea: cost grows with the matching subscriptions, not all of them.
final class SubscriptionRegistry: Sendable {
    /// Identifies one subscription: connection number and subscription id.
    struct Key: Hashable, Sendable {
        var connection: UInt64
        var subscription: String
    }

    /// Where a filter is filed.
    enum Field: Hashable, Sendable {
        case id(EventID)
        case author(PublicKey)
        case tag(UInt8, String)
        case kind(Kind)
        case everything
    }

    /// A subscription and who gets its events.
    struct Entry: Sendable {
        var filters: [Filter]
        var sink: ConnectionSink
        /// Stored events with a lower sequence number were in the subscription's stored results
        /// (its query's snapshot), so their fan-out, which may run after EOSE, skips it.
        var liveFrom: UInt64 = 0
    }

    /// Live events held for a subscription whose stored events are still being sent.
    private struct Held {
        var messages: [(sequence: UInt64, bytes: [UInt8])] = []
        var overflowed = false
    }

    private struct State {
        var entries: [Key: Entry] = [:]
        var index: [Field: Set<Key>] = [:]
        var loading: [Key: Held] = [:]
    }

    /// Live events held per loading subscription at most; past it the subscription is closed.
    static let holdLimit = 1000

    private let state = Mutex(State())

    /// Adds (or replaces) a subscription. A `loading` one holds its live events until
    /// `finishLoading`, so none arrives before EOSE or twice.
    func add(_ key: Key, filters: [Filter], sink: ConnectionSink, loading: Bool = false) {
        state.withLock { state in
            if let old = state.entries[key] { Self.unindex(key, old.filters, in: &state) }
            state.loading[key] = loading ? Held() : nil
            state.entries[key] = Entry(filters: filters, sink: sink)
            for filter in filters {
                for field in Self.fields(of: filter) { state.index[field, default: []].insert(key) }
            }
        }
    }

    /// Removes one subscription; returns whether it existed.
    @discardableResult
    func remove(_ key: Key) -> Bool {
        state.withLock { state in
            state.loading.removeValue(forKey: key)
            guard let entry = state.entries.removeValue(forKey: key) else { return false }
            Self.unindex(key, entry.filters, in: &state)
            return true
        }
    }

    /// Removes every subscription of a connection.
    func removeAll(connection: UInt64) {
        state.withLock { state in
            for (key, entry) in state.entries where key.connection == connection {
                state.entries.removeValue(forKey: key)
                state.loading.removeValue(forKey: key)
                Self.unindex(key, entry.filters, in: &state)
            }
        }
    }

    /// Holds `bytes` for `key` if it is still loading; false when it is live and should get the event
    /// now; true too when there is nothing to send (the subscription is gone, or its query already
    /// returned the event).
    func hold(_ key: Key, sequence: UInt64, bytes: [UInt8]) -> Bool {
        state.withLock { state in
            guard var held = state.loading[key] else {
                // Gone, or finished loading since `matches` picked it: its query's snapshot may already
                // have returned the event (the check `matches` made before `liveFrom` was set).
                guard let entry = state.entries[key] else { return true }
                return sequence < entry.liveFrom
            }
            if held.messages.count >= Self.holdLimit {
                held.overflowed = true
            } else {
                held.messages.append((sequence, bytes))
            }
            state.loading[key] = held
            return true
        }
    }

    /// Ends loading: returns the held messages the query (whose snapshot is `snapshot`) did not
    /// already return, or `nil` when more arrived than could be held. From now on, events older
    /// than the snapshot are not sent live either: a commit's fan-out runs after its OK, so it can
    /// reach a subscription that was opened, and answered from the store, in between.
    func finishLoading(_ key: Key, snapshot: UInt64) -> [[UInt8]]? {
        state.withLock { state in
            state.entries[key]?.liveFrom = snapshot
            guard let held = state.loading.removeValue(forKey: key) else { return [] }
            if held.overflowed { return nil }
            return held.messages.filter { $0.sequence >= snapshot }.map(\.bytes)
        }
    }

    /// Whether no subscription is live (cheaper than matching).
    var isEmpty: Bool { state.withLock { $0.entries.isEmpty } }

    /// How many subscriptions are live.
    var count: Int { state.withLock { $0.entries.count } }

    /// The subscriptions with a filter that matches `event`, whose store sequence number is
    /// `sequence` (`.max` for an event that is not stored), leaving out those whose stored results
    /// already held it.
    func matches(_ event: Event, sequence: UInt64 = .max) -> [(Key, ConnectionSink)] {
        let candidates: [(Key, Entry)] = state.withLock { state in
            var keys = Set<Key>()
            func collect(_ field: Field) { if let found = state.index[field] { keys.formUnion(found) } }
            collect(.id(event.id))
            collect(.author(event.pubkey))
            collect(.kind(event.kind))
            collect(.everything)
            for tag in event.tags where tag.count > 1 {
                let letter: UInt8? = tag.withBytes(at: 0) { $0.count == 1 ? $0[0] : nil }
                if let letter { collect(.tag(letter, tag[1])) }
            }
            return keys.compactMap { key in
                state.entries[key].flatMap { sequence >= $0.liveFrom ? (key, $0) : nil }
            }
        }
        return candidates.compactMap { key, entry in
            entry.filters.contains { $0.matches(event) } ? (key, entry.sink) : nil
        }
    }

    static func fields(of filter: Filter) -> [Field] {
        if let ids = filter.ids { return ids.map(Field.id) }
        if let authors = filter.authors { return authors.map(Field.author) }
        if let condition = filter.tags.first { return condition.values.map { .tag(condition.letter, $0) } }
        if let kinds = filter.kinds { return kinds.map(Field.kind) }
        return [.everything]
    }

    private static func unindex(_ key: Key, _ filters: [Filter], in state: inout State) {
        for filter in filters {
            for field in fields(of: filter) {
                state.index[field]?.remove(key)
                if state.index[field]?.isEmpty == true { state.index.removeValue(forKey: field) }
            }
        }
    }
}
