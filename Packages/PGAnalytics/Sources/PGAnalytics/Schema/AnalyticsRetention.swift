import Foundation

/// How long the tracking tables keep their rows, and the deletion that enforces it (the relay runs
/// it daily). Without it the hourly and pair tables would grow without bound. `relay_directory`
/// needs none: it mirrors the crawler's directory, whose removals the sink deletes.
///
/// A day is 24 hours counted back from `now`; `date` columns are UTC days, as the relay writes them.
public struct AnalyticsRetention: Sendable {
    /// `ip_traffic_hourly` keeps hours within this many days.
    public var hourlyDays = 14
    /// `ip_traffic_daily`, `req_kind_daily` and `storage_snapshots_daily` keep days within this many days.
    public var dailyDays = 400
    /// `req_author_cooccurrence` keeps at most this many rows, the most asked-for.
    public var cooccurrenceMaxRows = 1_000_000
    /// `req_author_cooccurrence` drops pairs not seen for this many days (before the cap applies).
    public var cooccurrenceMaxAgeDays = 30
    /// `event_history` keeps versions archived within this many days; nil keeps them forever.
    public var historyDays: Int? = nil

    /// A policy; every argument defaults to the configuration's default.
    public init(
        hourlyDays: Int = 14, dailyDays: Int = 400, cooccurrenceMaxRows: Int = 1_000_000,
        cooccurrenceMaxAgeDays: Int = 30, historyDays: Int? = nil
    ) {
        self.hourlyDays = hourlyDays
        self.dailyDays = dailyDays
        self.cooccurrenceMaxRows = cooccurrenceMaxRows
        self.cooccurrenceMaxAgeDays = cooccurrenceMaxAgeDays
        self.historyDays = historyDays
    }

    /// Deletes every row the policy no longer keeps, in one transaction (a failure deletes
    /// nothing), and says how many each table lost. `now` is a parameter so tests can fix it.
    ///
    /// Every value must be non-negative (the configuration checks its own ranges): a negative
    /// one would put the cutoff in the future and empty the table, so it traps instead.
    public func apply(_ connection: PostgresConnection, now: Date = Date()) throws -> RetentionReport {
        let limits = [hourlyDays, dailyDays, cooccurrenceMaxRows, cooccurrenceMaxAgeDays, historyDays ?? 0]
        precondition(limits.allSatisfy { $0 >= 0 }, "retention values must not be negative: \(self)")
        let hourlyCutoff = Self.timestamp(now, daysBefore: hourlyDays)
        let dailyCutoff = Self.timestamp(now, daysBefore: dailyDays)
        let cooccurrenceCutoff = Self.timestamp(now, daysBefore: cooccurrenceMaxAgeDays)
        return try connection.transaction {
            var report = RetentionReport()
            report.ipTrafficHourly = try connection.execute(
                "DELETE FROM ip_traffic_hourly WHERE hour < $1::timestamptz", [hourlyCutoff]
            ).affectedRows
            report.ipTrafficDaily = try deleteDays(from: "ip_traffic_daily", before: dailyCutoff, connection)
            report.reqKindDaily = try deleteDays(from: "req_kind_daily", before: dailyCutoff, connection)
            report.storageSnapshotsDaily = try deleteDays(
                from: "storage_snapshots_daily", before: dailyCutoff, connection)
            // Age first, so the cap counts only live pairs: a stale pair asked for often long ago
            // must not push out ones asked for now.
            report.cooccurrenceExpired = try connection.execute(
                "DELETE FROM req_author_cooccurrence WHERE last_seen < $1::timestamptz", [cooccurrenceCutoff]
            ).affectedRows
            // Everything past the first `cooccurrenceMaxRows` in keep order; the primary key breaks
            // remaining ties so the result does not depend on the plan. Deletes nothing below the cap.
            report.cooccurrenceOverCap = try connection.execute(
                """
                DELETE FROM req_author_cooccurrence AS pair
                USING (SELECT pubkey_a, pubkey_b FROM req_author_cooccurrence
                       ORDER BY request_count DESC, last_seen DESC, pubkey_a, pubkey_b
                       OFFSET $1::bigint) AS excess
                WHERE pair.pubkey_a = excess.pubkey_a AND pair.pubkey_b = excess.pubkey_b
                """, [.int(cooccurrenceMaxRows)]
            ).affectedRows
            if let historyDays {
                report.eventHistory = try connection.execute(
                    "DELETE FROM event_history WHERE archived_at < $1::timestamptz",
                    [Self.timestamp(now, daysBefore: historyDays)]
                ).affectedRows
            }
            return report
        }
    }

    /// Deletes the rows of a `day date` table before the cutoff's UTC day. The day holding the
    /// cutoff stays: part of it is still within the window. (`table` is one of our names, never input.)
    private func deleteDays(
        from table: String, before cutoff: PostgresValue, _ connection: PostgresConnection
    ) throws(PostgresError) -> Int {
        try connection.execute(
            "DELETE FROM \(table) WHERE day < ($1::timestamptz AT TIME ZONE 'UTC')::date", [cutoff]
        ).affectedRows
    }

    /// `days` days of 24 hours before `now`, as ISO 8601 text in UTC, with milliseconds, for a
    /// `$n::timestamptz` parameter (independent of the session's TimeZone).
    private static func timestamp(_ now: Date, daysBefore days: Int) -> PostgresValue {
        let cutoff = now.addingTimeInterval(-Double(days) * 86_400)
        return .string(cutoff.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }
}
