import Foundation

/// A replaceable event (a profile, a follow list, a relay list...) that a newer version replaced,
/// kept for `event_history`.
///
/// Plain strings rather than NostrCore's types, so that this package stays free of it: `id`,
/// `pubkey` and `sig` are lowercase hex, `tagsJSON` the event's tags as a JSON array of arrays.
public struct ArchivedEvent: Sendable, Equatable {
    /// The event id, 64 lowercase hex characters.
    public var id: String
    /// The author's pubkey, 64 lowercase hex characters.
    public var pubkey: String
    /// The event kind.
    public var kind: Int
    /// The event's `created_at`, in seconds since 1970.
    public var createdAt: Int64
    /// The tags as JSON (`[["p","..."],...]`), stored as `jsonb`.
    public var tagsJSON: String
    /// The content, verbatim.
    public var content: String
    /// The signature, 128 lowercase hex characters.
    public var sig: String
    /// When the relay replaced it.
    public var archivedAt: Date

    /// An archived event from its fields.
    public init(
        id: String, pubkey: String, kind: Int, createdAt: Int64, tagsJSON: String, content: String, sig: String,
        archivedAt: Date
    ) {
        self.id = id
        self.pubkey = pubkey
        self.kind = kind
        self.createdAt = createdAt
        self.tagsJSON = tagsJSON
        self.content = content
        self.sig = sig
        self.archivedAt = archivedAt
    }
}
