import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("PostgreSQL cursors")
struct CursorTests {
    struct Abort: Error {}

    static let series = "select g, 'row ' || g as label from generate_series(1, $1::int) g order by g"

    @Test func streamsEveryRowInOrder() throws {
        let connection = try TestDatabase.connect()
        var expected: Int64 = 1
        try connection.cursor(Self.series, [25_000], batchSize: 1_000) { row throws in
            #expect(try row.int64(0) == expected)
            #expect(try row.string("label") == "row \(expected)")
            expected += 1
            return true
        }
        #expect(expected == 25_001)
        #expect(!connection.isInTransaction)
        #expect(try connection.scalar("select count(*) from pg_cursors where name <> ''") == "0")
    }

    @Test func exactMultipleOfTheBatchAndEmptyResults() throws {
        let connection = try TestDatabase.connect()
        var count = 0
        try connection.cursor(Self.series, [3_000], batchSize: 1_000) { _ in
            count += 1
            return true
        }
        #expect(count == 3_000)
        try connection.cursor(Self.series, [0], batchSize: 1_000) { _ in
            Issue.record("no row expected")
            return true
        }
    }

    @Test func stoppingEarlyClosesTheCursorAndCommits() throws {
        let connection = try TestDatabase.connect()
        var seen = 0
        try connection.cursor(Self.series, [25_000], batchSize: 1_000) { _ in
            seen += 1
            return seen < 1_500
        }
        #expect(seen == 1_500)
        #expect(!connection.isInTransaction)
        #expect(try connection.scalar("select count(*) from pg_cursors where name <> ''") == "0")
        #expect(try connection.scalar("select 1") == "1")
    }

    @Test func bodyErrorRollsBackAndIsRethrown() throws {
        let connection = try TestDatabase.connect()
        #expect(throws: Abort.self) {
            try connection.cursor(Self.series, [100], batchSize: 10) { row in
                if try row.int(0) == 15 { throw Abort() }
                return true
            }
        }
        #expect(!connection.isInTransaction)
        #expect(try connection.scalar("select 1") == "1")
    }

    @Test func queryErrorDuringFetchIsRethrown() throws {
        let connection = try TestDatabase.connect()
        var seen = 0
        let error = try #require(throws: PostgresError.self) {
            try connection.cursor("select 1 / (50 - g) from generate_series(1, 100) g", batchSize: 10) { _ in
                seen += 1
                return true
            }
        }
        #expect(error.sqlState == "22012")
        #expect(seen == 40)
        #expect(!connection.isInTransaction)
        #expect(try connection.scalar("select 1") == "1")
    }

    @Test func insideATransactionItSeesUncommittedRowsAndLeavesItOpen() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "v int8") { table in
            try connection.transaction {
                try connection.execute("insert into \(table) select generate_series(1, 2500)")
                var sum: Int64 = 0
                try connection.cursor("select v from \(table) where v > $1", [0], batchSize: 1_000) { row in
                    sum += try row.int64(0) ?? 0
                    return true
                }
                #expect(sum == 2500 * 2501 / 2)
                #expect(connection.isInTransaction)
                #expect(try connection.scalar("select count(*) from pg_cursors where name <> ''") == "0")
                // A failing cursor inside leaves the outer transaction usable.
                #expect(throws: Abort.self) {
                    try connection.cursor("select v from \(table)", batchSize: 100) { _ in throw Abort() }
                }
                try connection.execute("insert into \(table) values ($1)", [0])
            }
            #expect(try connection.scalar("select count(*) from \(table)") == "2501")
        }
    }

    @Test func cursorsNest() throws {
        let connection = try TestDatabase.connect()
        var pairs = 0
        try connection.cursor(Self.series, [3], batchSize: 2) { _ in
            try connection.cursor(Self.series, [4], batchSize: 3) { _ in
                pairs += 1
                return true
            }
            return true
        }
        #expect(pairs == 12)
    }
}
