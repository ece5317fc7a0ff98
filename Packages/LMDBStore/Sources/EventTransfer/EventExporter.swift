import LMDBStore
import NostrCore

/// Streams a store out as JSONL, oldest stored first, optionally only the events a filter
/// matches (its `limit`, when given, caps how many).
///
/// The export reads one consistent snapshot (a single read transaction), so it is safe next to
/// a running relay; the relay's writes during the export are simply not in it.
public enum EventExporter {
    /// Writes the events of `store` matching `filter` to `output`, one JSON per line; returns how
    /// many. `progress` is called now and then with the number written so far.
    @discardableResult
    public static func export(
        _ store: EventStore, filter: Filter? = nil, to output: OutputFile, progress: ((Int) -> Void)? = nil
    ) throws -> Int {
        var written = 0
        var failure: TransferError?
        let limit = filter?.limit ?? Int.max
        guard limit > 0 else {
            try output.finish()  // still a valid (empty) file, gzip header and trailer included
            return 0
        }
        try store.scanAll { stored in
            if let filter {
                guard let event = try? Event(json: stored.json), filter.matches(event) else { return true }
            }
            do throws(TransferError) {
                try output.writeLine(stored.json)
            } catch {
                failure = error
                return false
            }
            written += 1
            if written % 10_000 == 0 { progress?(written) }
            return written < limit
        }
        if let failure { throw failure }
        try output.finish()
        progress?(written)
        return written
    }
}
