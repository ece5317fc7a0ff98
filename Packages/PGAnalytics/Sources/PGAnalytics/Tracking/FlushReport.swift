/// What one `TrackingSink.flush(to:)` wrote: rows inserted or updated (or, in `relay_directory`,
/// deleted), per table.
public struct FlushReport: Sendable, Equatable {
    /// Table name → rows the flush inserted or updated in it (for `relay_directory`, deleted rows
    /// count too). Tables it did not touch are absent.
    public var rowsByTable: [String: Int]

    /// A report of the given counts (empty: nothing was pending).
    public init(rowsByTable: [String: Int] = [:]) {
        self.rowsByTable = rowsByTable
    }

    /// Rows written to `table`; 0 when the flush had nothing for it.
    public subscript(table: String) -> Int { rowsByTable[table] ?? 0 }

    /// Rows written over all tables.
    public var totalRows: Int { rowsByTable.values.reduce(0, +) }
}
