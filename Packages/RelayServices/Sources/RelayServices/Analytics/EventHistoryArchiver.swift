import Foundation
import NostrCore
import PGAnalytics

/// Keeps the versions of replaceable events that newer ones replaced, for the time capsule: the
/// store's `onReplace` hands each one over after its commit, and those of `kinds`
/// (`analytics.history_kinds`) go to the tracking sink's `event_history`.
public enum EventHistoryArchiver {
    /// The store's `onReplace` that archives replaced versions of `kinds` into `sink`.
    public static func onReplace(_ sink: TrackingSink, kinds: [Int]) -> @Sendable (Event) -> Void {
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
