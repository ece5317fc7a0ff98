/// What a `TrackingSink` holds for one URL of the relay directory until the next flush: only the
/// latest of the changes recorded for it matters, since each carries the whole row.
enum RelayDirectoryChange {
    /// The row to insert or to replace the table's with, and when it was recorded (microseconds
    /// since 1970, UTC), which becomes its `updated_at`.
    case upsert(RelayDirectoryRow, recordedAt: Int64)
    /// The URL left the directory: its row is deleted.
    case remove
}
