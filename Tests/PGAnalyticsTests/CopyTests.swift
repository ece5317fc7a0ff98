import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("PostgreSQL COPY")
struct CopyTests {
    static let trickyStrings = [
        "plain", "", "tab\tinside", "new\nline", "carriage\rreturn", "back\\slash", "\\N", "\\.", "\\",
        "ends with backslash\\", "🦄", "it's \"quoted\"", "\\x41",
    ]

    /// Row `i` of the test data: every type, with NULLs and the tricky strings in rotation.
    static func row(_ i: Int) -> [PostgresValue] {
        let text = trickyStrings[i % trickyStrings.count] + (i % 3 == 0 ? "" : " \(i)")
        return [
            .int(i),
            i % 7 == 0 ? .null : .string(text),
            i % 11 == 0 ? .null : .bytes((0..<(i % 40)).map { UInt8(($0 * 37 + i) % 256) }),
            .double(Double(i) / 8),
            i % 5 == 0 ? .null : .bool(i % 2 == 0),
        ]
    }

    @Test func tenThousandTrickyRowsReadBackIdentical() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "id int8 primary key, t text, b bytea, f float8, flag bool") { table in
            let rows = (0..<10_000).lazy.map(Self.row)
            let copied = try connection.copyIn("copy \(table) (id, t, b, f, flag) from stdin", rows: rows)
            #expect(copied == 10_000)

            let result = try connection.execute("select id, t, b, f, flag from \(table) order by id")
            #expect(result.rowCount == 10_000)
            for (i, row) in result.rows.enumerated() {
                let read: [PostgresValue] = [
                    PostgresValue(try row.int("id")), PostgresValue(try row.string("t")),
                    PostgresValue(try row.bytes("b")), PostgresValue(try row.double("f")),
                    PostgresValue(try row.bool("flag")),
                ]
                if read != Self.row(i) {
                    Issue.record("row \(i): \(read) != \(Self.row(i))")
                    break
                }
            }
        }
    }

    @Test func badDataFailsWithTheServerErrorAndLeavesTheConnectionUsable() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "id int8, t text") { table in
            let rows: [[PostgresValue]] = [[1, "ok"], ["not a number", "x"]]
            let error = try #require(throws: PostgresError.self) {
                try connection.copyIn("copy \(table) (id, t) from stdin", rows: rows)
            }
            #expect(error.sqlState == "22P02")
            #expect(try connection.scalar("select count(*) from \(table)") == "0")
        }
    }

    @Test func nulInAStringCancelsTheCopy() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "t text") { table in
            let rows: [[PostgresValue]] = [["fine"], ["bad\u{0}"]]
            let error = try #require(throws: PostgresError.self) {
                try connection.copyIn("copy \(table) (t) from stdin", rows: rows)
            }
            #expect(error.message.contains("row 2"))
            #expect(try connection.scalar("select count(*) from \(table)") == "0")
        }
    }

    @Test func copyIntoAMissingTableIs42P01() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) {
            try connection.copyIn("copy \(TestDatabase.uniqueName("missing")) from stdin", rows: [[PostgresValue]]())
        }
        #expect(error.sqlState == "42P01")
        #expect(try connection.scalar("select 1") == "1")
    }

    @Test func copyInsideATransactionRollsBackWithIt() throws {
        struct Abort: Error {}
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "v int8") { table throws in
            #expect(throws: Abort.self) {
                try connection.transaction {
                    #expect(
                        try connection.copyIn("copy \(table) from stdin", rows: (1...100).map { [.int($0)] }) == 100)
                    throw Abort()
                }
            }
            #expect(try connection.scalar("select count(*) from \(table)") == "0")
        }
    }
}
