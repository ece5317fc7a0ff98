import Foundation

extension TrackingSink {
    /// Records changes of the network crawler's relay directory for `relay_directory`: each row of
    /// `changed` replaces its URL's row, and each URL of `removed` deletes its row, at the next flush.
    ///
    /// Only a URL's latest change is held: a later row replaces an earlier one, a removal cancels a
    /// pending row (and is itself written), and a row recorded after a removal brings the relay
    /// back. Within one call the rows come first, so a URL in both lists is removed. Rows are
    /// written whole, never added up: they carry the directory's own totals. `now` becomes the
    /// rows' `updated_at`.
    ///
    /// At most `limits.maxRelayDirectoryRows` URLs are held between flushes; past it a new URL's
    /// change is dropped and counted in `droppedKeys` (a URL already held still takes its latest).
    /// A row whose URL holds U+0000, which `text` cannot store, is dropped and counted too.
    public func recordRelayDirectory(changed: [RelayDirectoryRow], removed: [String], now: Date = Date()) {
        guard !changed.isEmpty || !removed.isEmpty else { return }
        let recordedAt = TrackingTime(now).microseconds
        state.withLock { state in
            for row in changed {
                guard Self.isStorableURL(row.url) else {
                    state.budget.dropped += 1
                    continue
                }
                state.noteRelayDirectory(row.url, .upsert(row, recordedAt: recordedAt))
            }
            // A URL PostgreSQL cannot store has no row to delete.
            for url in removed where Self.isStorableURL(url) { state.noteRelayDirectory(url, .remove) }
        }
    }

    /// Relay directory URLs (changed rows and removals) held now, waiting for the next flush.
    public var pendingRelayDirectoryRows: Int { state.withLock { $0.pending.relayDirectory.count } }

    /// Whether `url` fits a `text` column.
    static func isStorableURL(_ url: String) -> Bool { !url.utf8.contains(0) }
}
