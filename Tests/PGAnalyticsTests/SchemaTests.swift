import Dispatch
import Foundation
import PurplePagesTestSupport
import Testing

@testable import PGAnalytics

@Suite("Analytics schema migrations")
struct SchemaTests {
    /// Every v1 table with each column's `information_schema` type: counters are bigint, times
    /// timestamptz, days date (DESIGN.md's conventions).
    static let v1Columns: [String: [String: String]] = [
        "req_pubkey_popularity": ["pubkey": "text", "total_requests": "bigint", "last_request": timestamptz],
        "req_pubkey_kind_popularity": ["pubkey": "text", "kind": "integer", "request_count": "bigint"],
        "req_author_cooccurrence": [
            "pubkey_a": "text", "pubkey_b": "text", "request_count": "bigint", "last_seen": timestamptz,
        ],
        "req_kind_totals": ["kind": "integer", "request_count": "bigint", "last_request": timestamptz],
        "req_kind_daily": ["day": "date", "kind": "integer", "request_count": "bigint"],
        "ip_traffic_hourly": ["hour": timestamptz, "ip": "text", "request_count": "bigint", "events_served": "bigint"],
        "ip_traffic_daily": ["day": "date", "ip": "text", "request_count": "bigint", "events_served": "bigint"],
        "rejected_events": [
            "kind": "integer", "pubkey": "text", "rejection_count": "bigint", "last_seen": timestamptz,
        ],
        "rejected_req_kinds": ["kind": "integer", "request_count": "bigint", "last_seen": timestamptz],
        "storage_snapshots_daily": [
            "day": "date", "store_bytes": "bigint", "event_count": "bigint", "recorded_at": timestamptz,
        ],
        "event_history": [
            "id": "text", "pubkey": "text", "kind": "integer", "created_at": "bigint", "tags": "jsonb",
            "content": "text", "sig": "text", "archived_at": timestamptz,
        ],
        "schema_migrations": ["version": "integer", "name": "text", "applied_at": timestamptz],
    ]
    static let timestamptz = "timestamp with time zone"

    /// Every migration's version, in order.
    static let allVersions = AnalyticsMigrations.all.map(\.version)

    @Test func migratesAnEmptyDatabase() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            #expect(try AnalyticsSchema.appliedVersions(connection) == [])
            #expect(try AnalyticsSchema.migrate(connection) == Self.allVersions)
            #expect(try AnalyticsSchema.appliedVersions(connection) == Self.allVersions)
            #expect(try schema.columnTypes(connection).filter { Self.v1Columns[$0.key] != nil } == Self.v1Columns)
            #expect(try connection.scalar("select name from schema_migrations where version = 1") != nil)
        }
    }

    @Test func runningAgainAppliesNothing() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            try AnalyticsSchema.migrate(connection)
            #expect(try AnalyticsSchema.migrate(connection) == [])
            // A later process, on a connection of its own, finds the same.
            #expect(try AnalyticsSchema.migrate(schema.connect()) == [])
            #expect(try connection.scalar("select count(*) from schema_migrations") == "\(Self.allVersions.count)")
        }
    }

    @Test func refusesADatabaseMigratedByANewerBuild() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            try AnalyticsSchema.migrate(connection)
            try connection.execute("insert into schema_migrations (version, name) values (999, 'from the future')")
            let error = try #require(throws: AnalyticsSchemaError.self) { try AnalyticsSchema.migrate(connection) }
            let newest = try #require(Self.allVersions.last)
            #expect(error == .databaseIsNewer(databaseVersion: 999, newestKnown: newest))
            #expect(error.description.contains("999") && error.description.contains("version \(newest)"))
            #expect(!connection.isInTransaction)
        }
    }

    @Test func twoProcessesMigratingAtOnceApplyEachVersionOnce() throws {
        try TestSchema.with { schema in
            let migrators = try [schema.connect(), schema.connect()]
            let pids = try migrators.map { try #require(try $0.scalar("select pg_backend_pid()")) }
            // Even where transactions default to one snapshot, the second must see the first's work.
            for connection in migrators {
                try connection.execute("set default_transaction_isolation = 'repeatable read'")
            }
            // Hold the lock until both wait for it, so they really start together.
            let holder = try TestDatabase.connect()
            defer { holder.close() }
            try holder.execute("select pg_advisory_lock($1::bigint)", [.int64(AnalyticsSchema.advisoryLockKey)])
            let outcomes = Outcomes()
            let group = DispatchGroup()
            for connection in migrators {
                group.enter()
                // Threads of their own: GCD's pool grows late when its threads block (about 1 s here).
                Thread {
                    outcomes.append(Result { try AnalyticsSchema.migrate(connection) })
                    group.leave()
                }.start()
            }
            let bothWaited = schema.waitForLockWaiters(pids: pids, using: holder)
            _ = try? holder.execute("select pg_advisory_unlock($1::bigint)", [.int64(AnalyticsSchema.advisoryLockKey)])
            #expect(bothWaited)
            try #require(group.wait(timeout: .now() + 20) == .success)
            let applied = try outcomes.values.map { try $0.get() }.sorted { $0.count < $1.count }
            #expect(applied == [[], Self.allVersions])
            let connection = try schema.connect()
            #expect(try connection.scalar("select count(*) from schema_migrations") == "\(Self.allVersions.count)")
            #expect(try schema.columnTypes(connection).keys.contains("event_history"))
        }
    }

    @Test func aFailingMigrationLeavesNoTrace() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            try AnalyticsSchema.migrate(connection)
            let brokenVersion = (AnalyticsMigrations.all.last?.version ?? 0) + 1
            let broken = AnalyticsMigration(
                version: brokenVersion, name: "broken",
                statements: ["create table v2_first (id bigint)", "select * from v2_missing_table"])
            let error = try #require(throws: PostgresError.self) {
                try AnalyticsSchema.migrate(connection, migrations: AnalyticsMigrations.all + [broken])
            }
            #expect(error.sqlState == "42P01")
            #expect(error.message.contains("migration \(brokenVersion) (broken), statement 2 of 2"))
            #expect(try connection.scalar("select to_regclass('v2_first')::text") == nil)
            #expect(try AnalyticsSchema.appliedVersions(connection) == Self.allVersions)
            #expect(!connection.isInTransaction)
        }
    }

    @Test func rejectsMalformedMigrationLists() throws {
        let connection = try TestDatabase.connect()
        let one = AnalyticsMigration(version: 1, name: "one", statements: [])
        let two = AnalyticsMigration(version: 2, name: "two", statements: [])
        let zero = AnalyticsMigration(version: 0, name: "zero", statements: [])
        for list in [[one, one], [two, one], [zero]] {
            // Checked before any statement: this connection's public schema is never touched.
            #expect(throws: AnalyticsSchemaError.self) { try AnalyticsSchema.migrate(connection, migrations: list) }
        }
        try AnalyticsSchema.validate(AnalyticsMigrations.all)
    }

    @Test func refusesToRunInsideATransaction() throws {
        try TestSchema.with { schema in
            let connection = try schema.connect()
            let error = try #require(throws: AnalyticsSchemaError.self) {
                try connection.transaction { try AnalyticsSchema.migrate(connection) }
            }
            #expect(error == .calledInsideTransaction)
            #expect(try AnalyticsSchema.appliedVersions(connection) == [])
        }
    }
}

/// What the schema tests read from their `TestSchema`.
extension TestSchema {
    /// Table name → column name → `information_schema` data type, for this schema.
    func columnTypes(_ connection: PostgresConnection) throws -> [String: [String: String]] {
        var tables: [String: [String: String]] = [:]
        let result = try connection.execute(
            "select table_name, column_name, data_type from information_schema.columns where table_schema = $1",
            [.string(name)])
        for row in result.rows {
            let table = try #require(try row.string(0))
            tables[table, default: [:]][try #require(try row.string(1))] = try row.string(2)
        }
        return tables
    }

    /// Polls (up to 5 s) until every backend in `pids` waits for the migration lock.
    func waitForLockWaiters(pids: [String], using connection: PostgresConnection) -> Bool {
        for _ in 0..<500 {
            let waiting = try? connection.scalar(
                "select count(*) from pg_locks where locktype = 'advisory' and not granted and pid = any($1::int[])",
                [.string("{\(pids.joined(separator: ","))}")])
            if waiting == String(pids.count) { return true }
            Thread.sleep(forTimeInterval: 0.01)
        }
        return false
    }
}

/// What concurrent migrations returned, gathered across threads.
private final class Outcomes: @unchecked Sendable {
    private let lock = NSLock()
    private var results: [Result<[Int], any Error>] = []

    func append(_ result: Result<[Int], any Error>) { lock.withLock { results.append(result) } }
    var values: [Result<[Int], any Error>] { lock.withLock { results } }
}
