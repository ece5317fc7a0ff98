import Foundation
import NostrCore

/// What the relay records for analytics: client traffic only (the relay's own lookups never
/// pass here), through its `TrafficRecorder`. Without one (no `storage.analytics_db_url`) nothing
/// is done.
extension Relay {
    /// A REQ or COUNT a client sent: per filter, its authors and kinds; kinds the relay does not
    /// hold are counted as rejected REQ kinds.
    func trackRequest(from client: String, _ filters: [Filter]) {
        guard let traffic else { return }
        let now = Date()
        for filter in filters {
            let kinds = filter.kinds ?? []
            traffic.recordRequest(
                ip: client, authors: filter.authors?.map(\.hex) ?? [], kinds: kinds.map { Int($0.rawValue) },
                now: now)
            for kind in kinds where !eventPolicy.allows(kind) {
                traffic.recordRejectedRequestKind(kind: Int(kind.rawValue), now: now)
            }
        }
    }

    /// Stored events a REQ sent to `client`.
    func trackServed(to client: String, events: Int) {
        guard events > 0 else { return }
        traffic?.recordServed(ip: client, events: events, now: Date())
    }

    /// An EVENT refused because of its kind.
    func trackRejectedKind(_ event: Event) {
        traffic?.recordRejectedEvent(kind: Int(event.kind.rawValue), pubkey: event.pubkey.hex, now: Date())
    }
}
