import Foundation
import NostrCore
import PGAnalytics

/// What the relay records for analytics: client traffic only (the relay's own lookups never
/// pass here). Every call only updates bounded in-memory aggregates; a background flusher writes
/// them to PostgreSQL. Without `storage.analytics_db_url` there is no sink and nothing is done.
extension Relay {
    /// A REQ or COUNT a client sent: per filter, its authors and kinds; kinds the relay does not
    /// hold are counted as rejected REQ kinds.
    func trackRequest(from client: String, _ filters: [Filter]) {
        guard let tracking else { return }
        let now = Date()
        for filter in filters {
            let kinds = filter.kinds ?? []
            tracking.recordRequest(
                ip: client, authors: filter.authors?.map(\.hex) ?? [], kinds: kinds.map { Int($0.rawValue) },
                now: now)
            for kind in kinds where !eventPolicy.allows(kind) {
                tracking.recordRejectedRequestKind(kind: Int(kind.rawValue), now: now)
            }
        }
    }

    /// Stored events a REQ sent to `client`.
    func trackServed(to client: String, events: Int) {
        guard events > 0 else { return }
        tracking?.recordServed(ip: client, events: events, now: Date())
    }

    /// An EVENT refused because of its kind.
    func trackRejectedKind(_ event: Event) {
        tracking?.recordRejectedEvent(kind: Int(event.kind.rawValue), pubkey: event.pubkey.hex, now: Date())
    }
}

extension Relay {
    /// The store's `onReplace` that keeps replaced versions of `kinds` in `event_history`.
    public static func historyArchiver(_ sink: TrackingSink, kinds: [Int]) -> @Sendable (Event) -> Void {
        let kinds = Set(kinds)
        return { event in
            if kinds.contains(Int(event.kind.rawValue)) { sink.recordReplacedEvent(ArchivedEvent(event)) }
        }
    }
}

extension ArchivedEvent {
    /// The history row of `event`, archived now.
    init(_ event: Event, archivedAt: Date = Date()) {
        self.init(
            id: event.id.hex, pubkey: event.pubkey.hex, kind: Int(event.kind.rawValue), createdAt: event.createdAt,
            tagsJSON: event.tags.jsonString, content: event.content, sig: event.sig.hex, archivedAt: archivedAt)
    }
}
