import Foundation
import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("Analytics retention")
struct RetentionTests {
    /// Far from the real clock, so only `now:` decides what is old.
    static let now = Date(timeIntervalSince1970: 1_718_452_800)  // 2024-06-15T12:00:00Z

    /// A migrated schema of the test's own, on a session whose TimeZone is far from UTC: cutoffs
    /// must not depend on it.
    func withTrackingTables(_ body: (PostgresConnection) throws -> Void) throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            try AnalyticsSchema.migrate(connection)
            try connection.execute("set timezone = 'Pacific/Kiritimati'")
            try body(connection)
        }
    }

    @Test func deletesExactlyTheRowsPastEachWindow() throws {
        try withTrackingTables { connection in
            // 14 days before now is 2024-06-01T12:00Z; the cutoff instant itself is kept.
            for hour in [
                "2024-01-01T00:00:00Z", "2024-06-01T11:59:59Z", "2024-06-01T12:00:00Z", "2024-06-15T11:00:00Z",
            ] {
                try connection.execute(
                    "insert into ip_traffic_hourly values ($1::timestamptz, '192.0.2.1', 1, 1)", [.string(hour)])
            }
            // 400 days before now is 2023-05-12 (a leap day between): that day is kept, the one before goes.
            for day in ["2020-01-01", "2023-05-11", "2023-05-12", "2024-06-15"] {
                try connection.execute(
                    "insert into ip_traffic_daily values ($1::date, '192.0.2.1', 1, 1)", [.string(day)])
                try connection.execute("insert into req_kind_daily values ($1::date, 3, 1)", [.string(day)])
                try connection.execute(
                    "insert into storage_snapshots_daily values ($1::date, 1, 1, now())", [.string(day)])
            }
            // 30 days before now is 2024-05-16T12:00Z.
            for (index, seen) in ["2024-05-16T11:59:59Z", "2024-05-16T12:00:00Z", "2024-06-15T00:00:00Z"].enumerated() {
                try insertPair(connection, index, count: 10, lastSeen: seen)
            }
            // 90 days before now is 2024-03-17T12:00Z.
            for (index, archived) in ["2024-03-17T11:00:00Z", "2024-03-17T13:00:00Z"].enumerated() {
                try insertHistory(connection, index, archivedAt: archived)
            }

            let report = try AnalyticsRetention(historyDays: 90).apply(connection, now: Self.now)

            var expected = RetentionReport()
            expected.ipTrafficHourly = 2
            expected.ipTrafficDaily = 2
            expected.reqKindDaily = 2
            expected.storageSnapshotsDaily = 2
            expected.cooccurrenceExpired = 1
            expected.eventHistory = 1
            #expect(report == expected)
            #expect(report.total == 10)
            #expect(
                try strings(
                    connection,
                    "select to_char(hour at time zone 'UTC', 'YYYY-MM-DD HH24:MI:SS') from ip_traffic_hourly")
                    == ["2024-06-01 12:00:00", "2024-06-15 11:00:00"])
            for table in ["ip_traffic_daily", "req_kind_daily", "storage_snapshots_daily"] {
                #expect(try strings(connection, "select day::text from \(table)") == ["2023-05-12", "2024-06-15"])
            }
            #expect(try strings(connection, "select pubkey_a from req_author_cooccurrence") == ["a1", "a2"])
            #expect(try strings(connection, "select id from event_history") == ["e1"])
            // Applying again finds nothing more to delete.
            #expect(try AnalyticsRetention(historyDays: 90).apply(connection, now: Self.now).total == 0)
        }
    }

    @Test func keepsEventHistoryForeverByDefault() throws {
        try withTrackingTables { connection in
            try insertHistory(connection, 0, archivedAt: "2000-01-01T00:00:00Z")
            let report = try AnalyticsRetention().apply(connection, now: Self.now)
            #expect(report.eventHistory == 0)
            #expect(try strings(connection, "select id from event_history") == ["e0"])
        }
    }

    @Test func cooccurrenceCapKeepsTheMostAskedFor() throws {
        try withTrackingTables { connection in
            try insertPair(connection, 1, count: 50, lastSeen: "2024-06-15T11:00:00Z")
            try insertPair(connection, 2, count: 40, lastSeen: "2024-06-15T11:00:00Z")
            // A tie on the count: the more recently seen stays.
            try insertPair(connection, 3, count: 30, lastSeen: "2024-06-15T11:00:00Z")
            try insertPair(connection, 4, count: 30, lastSeen: "2024-06-15T10:00:00Z")
            try insertPair(connection, 5, count: 5, lastSeen: "2024-06-15T11:00:00Z")
            // Asked for most, but too long ago: expiry comes before the cap.
            try insertPair(connection, 6, count: 1_000, lastSeen: "2024-05-01T00:00:00Z")

            let report = try AnalyticsRetention(cooccurrenceMaxRows: 3).apply(connection, now: Self.now)

            #expect(report.cooccurrenceExpired == 1)
            #expect(report.cooccurrenceOverCap == 2)
            #expect(report.reqAuthorCooccurrence == 3)
            #expect(try strings(connection, "select pubkey_a from req_author_cooccurrence") == ["a1", "a2", "a3"])
            // At the cap, nothing more goes.
            #expect(try AnalyticsRetention(cooccurrenceMaxRows: 3).apply(connection, now: Self.now).total == 0)
        }
    }

    private func insertPair(_ connection: PostgresConnection, _ index: Int, count: Int, lastSeen: String) throws {
        try connection.execute(
            "insert into req_author_cooccurrence values ($1, $2, $3::bigint, $4::timestamptz)",
            [.string("a\(index)"), .string("b\(index)"), .int(count), .string(lastSeen)])
    }

    private func insertHistory(_ connection: PostgresConnection, _ index: Int, archivedAt: String) throws {
        try connection.execute(
            "insert into event_history values ($1, 'pk', 0, 1, '[]', '', 'sig', $2::timestamptz)",
            [.string("e\(index)"), .string(archivedAt)])
    }

    /// The first column of every row, sorted, so the checks do not depend on row order.
    private func strings(_ connection: PostgresConnection, _ sql: String) throws -> [String] {
        try connection.execute(sql).rows.map { try $0.string(0) ?? "NULL" }.sorted()
    }
}
