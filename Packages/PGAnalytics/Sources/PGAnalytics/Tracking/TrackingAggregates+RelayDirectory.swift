import Foundation

extension TrackingAggregates {
    /// Writes the relay directory's pending changes: upserts the changed rows (staged with COPY,
    /// like every tracking table) and deletes the removed URLs (staged likewise, so neither
    /// statement grows with the batch). Returns the rows inserted, updated or deleted. Must run
    /// inside a transaction.
    func writeRelayDirectory(to connection: PostgresConnection) throws -> Int {
        var upserts: [[PostgresValue]] = []
        var removals: [String] = []
        for (url, change) in relayDirectory {
            switch change {
            case .upsert(let row, let recordedAt): upserts.append(Self.values(of: row, recordedAt: recordedAt))
            case .remove: removals.append(url)
            }
        }
        var written = try TrackingTableWrite.relayDirectory.write(upserts, to: connection)
        if !removals.isEmpty {
            try connection.execute(
                "CREATE TEMP TABLE staged_relay_directory_removals (url text NOT NULL) ON COMMIT DROP")
            _ = try connection.copyIn(
                "COPY staged_relay_directory_removals (url) FROM STDIN", rows: removals.lazy.map { [.string($0)] })
            // Rows are locked in URL order, as the upserts are, so two flushes removing overlapping
            // URLs wait for each other instead of deadlocking.
            written += try connection.execute(
                """
                DELETE FROM relay_directory WHERE url IN (
                    SELECT target.url FROM relay_directory AS target
                    JOIN staged_relay_directory_removals AS removed ON removed.url = target.url
                    ORDER BY target.url FOR UPDATE OF target)
                """
            ).affectedRows
        }
        return written
    }

    /// The row's values in `TrackingTableWrite.relayDirectory`'s column order. What PostgreSQL
    /// cannot store is adjusted rather than sent, since one bad value would fail every flush
    /// retrying it: counts beyond `integer` are clamped, U+0000 is taken out of the error text.
    static func values(of row: RelayDirectoryRow, recordedAt: Int64) -> [PostgresValue] {
        [
            .string(row.url), timestamp(row.firstSeen), .int(clampedToInt32(row.listedBy)), .bool(row.isSeed),
            row.lastAttempt.map(timestamp) ?? .null, row.lastSuccess.map(timestamp) ?? .null,
            .int(clampedToInt32(row.consecutiveFailures)), timestamp(row.nextAttempt), .int(row.visits),
            .int(row.failures), .int(row.eventsContributed), .int64(row.bytesReceived),
            PostgresValue(row.supportsNegentropy), PostgresValue(row.lastError.map { $0.replacing("\u{0}", with: "") }),
            .string(TrackingTime.timestampText(microseconds: recordedAt)),
        ]
    }

    private static func timestamp(_ date: Date) -> PostgresValue {
        .string(TrackingTime.timestampText(microseconds: TrackingTime(date).microseconds))
    }

    private static func clampedToInt32(_ value: Int) -> Int { min(max(value, Int(Int32.min)), Int(Int32.max)) }
}
