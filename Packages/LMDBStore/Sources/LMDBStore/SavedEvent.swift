/// What saving one event did, and the sequence number it got if it was stored now.
public struct SavedEvent: Sendable, Hashable {
    /// What happened.
    public var outcome: SaveOutcome
    /// Stored events are numbered in commit order; a query whose snapshot is above this number saw
    /// the event. `nil` when the event was not stored by this save.
    public var sequence: UInt64?
}
