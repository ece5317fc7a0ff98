import Foundation
import PurplePagesTestSupport
import Testing

@testable import PGAnalytics

@Suite("Tracking sink: the crawler's relay directory")
struct RelayDirectoryTrackingTests {
    static let t1 = Track.time("2024-03-10T12:34:56.789Z")
    static let t1Text = "2024-03-10 12:34:56.789+00"
    static let t2 = Track.time("2024-03-11T08:00:00.000Z")
    static let t2Text = "2024-03-11 08:00:00+00"
    static let t3 = Track.time("2024-03-12T23:59:59.125Z")
    static let t3Text = "2024-03-12 23:59:59.125+00"

    /// Every column, in the table's order, for `select`.
    static let columns = """
        url, first_seen, listed_by, is_seed, last_attempt, last_success, consecutive_failures, next_attempt, \
        visits, failures, events_contributed, bytes_received, supports_negentropy, last_error, updated_at
        """

    @Test func theMigrationCreatesTheTableOnAnEmptyDatabase() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            defer { connection.close() }
            #expect(try AnalyticsSchema.migrate(connection).contains(3))
            let timestamptz = "timestamp with time zone"
            #expect(
                try schema.columnTypes(connection)["relay_directory"] == [
                    "url": "text", "first_seen": timestamptz, "listed_by": "integer", "is_seed": "boolean",
                    "last_attempt": timestamptz, "last_success": timestamptz, "consecutive_failures": "integer",
                    "next_attempt": timestamptz, "visits": "bigint", "failures": "bigint",
                    "events_contributed": "bigint", "bytes_received": "bigint", "supports_negentropy": "boolean",
                    "last_error": "text", "updated_at": timestamptz,
                ])
            let nullable = try connection.execute(
                """
                select column_name from information_schema.columns
                where table_schema = $1 and table_name = 'relay_directory' and is_nullable = 'YES'
                order by column_name
                """, [.string(schema.name)]
            ).rows.map { try $0.string(0) }
            #expect(nullable == ["last_attempt", "last_error", "last_success", "supports_negentropy"])
            let indexes = try connection.execute(
                "select indexname from pg_indexes where schemaname = $1 and tablename = 'relay_directory' order by 1",
                [.string(schema.name)]
            ).rows.map { try $0.string(0) }
            #expect(indexes == ["relay_directory_listed_by", "relay_directory_pkey"])
            // `updated_at` has a default for rows written by hand.
            try connection.execute(
                """
                insert into relay_directory (url, first_seen, listed_by, is_seed, consecutive_failures,
                    next_attempt, visits, failures, events_contributed, bytes_received)
                values ('wss://by.hand', now(), 0, false, 0, now(), 0, 0, 0, 0)
                """)
            #expect(try connection.scalar("select updated_at is not null from relay_directory") == "t")
        }
    }

    @Test func recordedRowsAppearAfterAFlushWithEveryField() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let full = RelayDirectoryRow(
                url: "wss://full.example", firstSeen: Self.t1, listedBy: 12, isSeed: true, lastAttempt: Self.t2,
                lastSuccess: Self.t1, consecutiveFailures: 3, nextAttempt: Self.t3, visits: 40, failures: 7,
                eventsContributed: 1_234_567, bytesReceived: 9_876_543_210, supportsNegentropy: false,
                lastError: "connection refused: \"quoted\"\ttab\\backslash\nline, é")
            sink.recordRelayDirectory(changed: [full, Self.row("wss://new.example")], removed: [], now: Self.t2)
            #expect(sink.pendingRelayDirectoryRows == 2)
            // Outside the key bound and its count.
            #expect(sink.pendingKeys == 0)

            let report = try sink.flush(to: schema.writer())
            #expect(report.rowsByTable == ["relay_directory": 2])
            #expect(sink.pendingRelayDirectoryRows == 0 && sink.lastFlushError == nil)
            #expect(
                try Self.rows(schema) == [
                    [
                        "wss://full.example", Self.t1Text, "12", "t", Self.t2Text, Self.t1Text, "3", Self.t3Text, "40",
                        "7", "1234567", "9876543210", "f", "connection refused: \"quoted\"\ttab\\backslash\nline, é",
                        Self.t2Text,
                    ],
                    [
                        "wss://new.example", Self.t1Text, "0", "f", nil, nil, "0", Self.t1Text, "0", "0", "0", "0", nil,
                        nil, Self.t2Text,
                    ],
                ])
            // Nothing left: the next flush writes nothing.
            #expect(try sink.flush(to: schema.writer()).totalRows == 0)
        }
    }

    @Test func aLaterChangeReplacesTheRow() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let writer = try schema.writer()
            var row = Self.row("wss://relay.example")
            sink.recordRelayDirectory(changed: [row], removed: [], now: Self.t1)
            try sink.flush(to: writer)

            // Two changes before the next flush: only the latest is held and written, whole.
            row.visits = 5
            row.lastError = "timed out"
            sink.recordRelayDirectory(changed: [row], removed: [], now: Self.t2)
            row.visits = 6
            row.listedBy = 4
            row.lastAttempt = Self.t3
            row.lastSuccess = Self.t3
            row.lastError = nil
            row.supportsNegentropy = true
            row.nextAttempt = Self.t3
            sink.recordRelayDirectory(changed: [row], removed: [], now: Self.t3)
            #expect(sink.pendingRelayDirectoryRows == 1)
            #expect(try sink.flush(to: writer).rowsByTable == ["relay_directory": 1])
            #expect(
                try Self.rows(schema) == [
                    [
                        "wss://relay.example", Self.t1Text, "4", "f", Self.t3Text, Self.t3Text, "0", Self.t3Text, "6",
                        "0", "0", "0", "t", nil, Self.t3Text,
                    ]
                ])
        }
    }

    @Test func aRemovalDeletesTheRow() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let writer = try schema.writer()
            let urls = ["wss://a.example", "wss://b.example", "wss://c.example"]
            sink.recordRelayDirectory(changed: urls.map { Self.row($0) }, removed: [], now: Self.t1)
            try sink.flush(to: writer)

            // A URL the table never held deletes nothing.
            sink.recordRelayDirectory(changed: [], removed: ["wss://b.example", "wss://never.example"], now: Self.t2)
            #expect(sink.pendingRelayDirectoryRows == 2)
            #expect(try sink.flush(to: writer).rowsByTable == ["relay_directory": 1])
            #expect(try Self.rows(schema).map { $0[0] } == ["wss://a.example", "wss://c.example"])
        }
    }

    @Test func aRemovalAfterAPendingChangeWins() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let writer = try schema.writer()
            sink.recordRelayDirectory(changed: [Self.row("wss://kept.example")], removed: [], now: Self.t1)
            try sink.flush(to: writer)

            // Changed, then removed, before the next flush: the row goes, including the one written before.
            sink.recordRelayDirectory(changed: [Self.row("wss://kept.example", visits: 9)], removed: [], now: Self.t2)
            sink.recordRelayDirectory(changed: [Self.row("wss://brief.example")], removed: [], now: Self.t2)
            sink.recordRelayDirectory(
                changed: [], removed: ["wss://kept.example", "wss://brief.example"], now: Self.t2)
            // In one call, a URL both changed and removed is removed.
            sink.recordRelayDirectory(
                changed: [Self.row("wss://both.example")], removed: ["wss://both.example"], now: Self.t2)
            // A change after a removal brings the relay back.
            sink.recordRelayDirectory(changed: [], removed: ["wss://back.example"], now: Self.t2)
            sink.recordRelayDirectory(changed: [Self.row("wss://back.example")], removed: [], now: Self.t3)
            #expect(sink.pendingRelayDirectoryRows == 4)

            try sink.flush(to: writer)
            #expect(try Self.rows(schema).map { [$0[0], $0[14]] } == [["wss://back.example", Self.t3Text]])
        }
    }

    @Test func newURLsPastTheBoundAreDroppedAndCounted() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits(maxKeys: 1, maxRelayDirectoryRows: 2))
            sink.recordRejectedRequestKind(kind: 1, now: Self.t1)
            sink.recordRelayDirectory(
                changed: ["wss://1.example", "wss://2.example", "wss://3.example"].map { Self.row($0) }, removed: [],
                now: Self.t1)
            #expect(sink.pendingRelayDirectoryRows == 2 && sink.droppedKeys == 1)
            // A URL already held still takes its latest change; a removal of a new URL is dropped too.
            sink.recordRelayDirectory(
                changed: [Self.row("wss://1.example", visits: 8)], removed: ["wss://4.example"], now: Self.t1)
            #expect(sink.pendingRelayDirectoryRows == 2 && sink.droppedKeys == 2)
            // The two bounds are apart: the aggregate keys still hold their one.
            #expect(sink.pendingKeys == 1)

            let report = try sink.flush(to: schema.writer())
            #expect(report.rowsByTable == ["relay_directory": 2, "rejected_req_kinds": 1])
            #expect(
                try Self.rows(schema).map { [$0[0], $0[8]] } == [["wss://1.example", "8"], ["wss://2.example", "0"]])
            // A flush frees the room; the count of drops stays.
            sink.recordRelayDirectory(changed: [Self.row("wss://3.example")], removed: [], now: Self.t2)
            #expect(sink.pendingRelayDirectoryRows == 1 && sink.droppedKeys == 2)
        }
    }

    @Test func whatPostgreSQLCannotStoreIsAdjustedOrDropped() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            var row = Self.row("wss://odd.example")
            row.listedBy = Int(Int32.max) + 10
            row.consecutiveFailures = Int(Int32.min) - 10
            row.lastError = "nul\u{0}inside"
            sink.recordRelayDirectory(changed: [row, Self.row("wss://nul\u{0}.example")], removed: [], now: Self.t1)
            #expect(sink.pendingRelayDirectoryRows == 1 && sink.droppedKeys == 1)
            try sink.flush(to: schema.writer())
            #expect(
                try schema.rows("select url, listed_by, consecutive_failures, last_error from relay_directory") == [
                    ["wss://odd.example", "\(Int32.max)", "\(Int32.min)", "nulinside"]
                ])
        }
    }

    @Test func aFlushToAKilledBackendKeepsTheRowsForTheNextFlush() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            sink.recordRelayDirectory(
                changed: [Self.row("wss://a.example"), Self.row("wss://b.example")], removed: [], now: Self.t1)
            sink.recordRejectedRequestKind(kind: 7, now: Self.t1)

            let doomed = try schema.writer()
            let pid = try #require(try doomed.scalar("select pg_backend_pid()"))
            let admin = try schema.connect()
            defer { admin.close() }
            #expect(try admin.scalar("select pg_terminate_backend($1::int, 5000)", [.string(pid)]) == "t")
            let error = try #require(throws: PostgresError.self) { try sink.flush(to: doomed) }
            #expect(error.isConnectionFailure)
            #expect(sink.flushFailures == 1 && sink.lastFlushError != nil)
            #expect(sink.pendingRelayDirectoryRows == 2 && sink.droppedKeys == 0)
            #expect(try schema.count("relay_directory") == 0)

            // More changes before the server is back: the newer ones win, and the next flush writes all.
            sink.recordRelayDirectory(
                changed: [Self.row("wss://a.example", visits: 2), Self.row("wss://c.example")],
                removed: ["wss://b.example"], now: Self.t2)
            try sink.flush(to: schema.writer())
            #expect(sink.lastFlushError == nil && sink.pendingRelayDirectoryRows == 0)
            #expect(
                try Self.rows(schema).map { [$0[0], $0[8], $0[14]] } == [
                    ["wss://a.example", "2", Self.t2Text], ["wss://c.example", "0", Self.t2Text],
                ])
            #expect(try schema.rows("select kind from rejected_req_kinds") == [["7"]])
        }
    }

    @Test func aChangeRecordedDuringAFailedFlushWinsOverTheBatchPutBack() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits(maxRelayDirectoryRows: 3))
            sink.recordRelayDirectory(
                changed: ["wss://1.example", "wss://2.example", "wss://3.example"].map { Self.row($0) }, removed: [],
                now: Self.t1)
            // What a flush does before its I/O, then records arriving while it waits on PostgreSQL.
            var batch = sink.state.withLock { $0.takePending() }
            sink.recordRelayDirectory(
                changed: [Self.row("wss://1.example", visits: 3), Self.row("wss://4.example")],
                removed: ["wss://2.example"], now: Self.t2)
            #expect(sink.pendingRelayDirectoryRows == 3 && sink.droppedKeys == 0)
            // The failed batch goes back first, within the bound; of what arrived, held URLs take
            // their latest change and the new one no longer fits.
            sink.state.withLock { $0.restore(&batch) }
            #expect(sink.pendingRelayDirectoryRows == 3 && sink.droppedKeys == 1)
            try sink.flush(to: schema.writer())
            #expect(
                try Self.rows(schema).map { [$0[0], $0[8]] } == [["wss://1.example", "3"], ["wss://3.example", "0"]])
        }
    }

    /// A relay seen at `t1`, never visited, next visit at `t1`, unless told otherwise.
    static func row(_ url: String, visits: Int = 0) -> RelayDirectoryRow {
        RelayDirectoryRow(
            url: url, firstSeen: t1, listedBy: 0, isSeed: false, lastAttempt: nil, lastSuccess: nil,
            consecutiveFailures: 0, nextAttempt: t1, visits: visits, failures: 0, eventsContributed: 0,
            bytesReceived: 0, supportsNegentropy: nil, lastError: nil)
    }

    /// Every row of `relay_directory`, every column, ordered by URL, read in UTC.
    static func rows(_ schema: TrackingSchema) throws -> [[String?]] {
        try schema.rows("select \(columns) from relay_directory order by url")
    }
}
