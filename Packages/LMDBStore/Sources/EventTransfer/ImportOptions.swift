import LMDBStore
import NostrCore

/// How `EventImporter` reads, checks and batches.
public struct ImportOptions: Sendable {
    /// How input lines are written (`auto` decides per file).
    public var format: InputFormat = .auto
    /// Verify each signature (ids are always checked: it is cheap and catches mangled exports).
    public var verifySignatures = true
    /// Stop at the first rejected line instead of counting it and going on.
    public var strict = false
    /// Longer lines are rejected without being held in memory.
    public var maxLineBytes = 16 << 20
    /// Lines parsed and verified together, spread over every core.
    public var windowLines = 16_384
    /// A window is also cut at this many bytes, bounding memory with large events.
    public var windowBytes = 64 << 20
    /// Windows handed to the store and not yet committed, at most (the reader waits past it).
    public var windowsInFlight = 2
    /// Why an event is refused by configuration (kinds, sizes), or nil; the second argument is now.
    public var policy: @Sendable (Event, Int64) -> Reason? = { _, _ in nil }
    /// Called, after the commit, with each imported event that was not stored because the store
    /// holds a newer version of its address (for the history archive; replaced stored versions
    /// reach the store's own `onReplace`).
    public var onSuperseded: (@Sendable (Event) -> Void)?
    /// The current Unix time.
    public var now: @Sendable () -> Int64 = EventStore.unixTime

    /// The defaults: auto-detected format, signatures verified, bad lines counted.
    public init() {}
}
