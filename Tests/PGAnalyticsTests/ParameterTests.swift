import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("PostgreSQL parameters")
struct ParameterTests {
    static let trickyStrings = [
        "", "plain", "it's \"quoted\"", "back\\slash \\x00 \\N", "new\nline", "tab\there", "cr\r\n",
        "🦄 unicorn, 𝄞 clef", "e\u{301} combining", String(repeating: "long ", count: 10_000),
    ]

    @Test(arguments: trickyStrings)
    func stringRoundTrips(_ value: String) throws {
        let connection = try TestDatabase.connect()
        let row = try connection.execute("select $1::text, length($1::text)", [.string(value)]).rows[0]
        #expect(try row.string(0) == value)
        #expect(try row.int(1) == value.unicodeScalars.count)
    }

    @Test func integersRoundTrip() throws {
        let connection = try TestDatabase.connect()
        for value in [Int64.min, -1, 0, 1, 42, Int64.max] {
            let row = try connection.execute("select $1::int8", [.int64(value)]).rows[0]
            #expect(try row.int64(0) == value)
            #expect(try row.int(0) == Int(value))
        }
        #expect(try connection.execute("select $1::int4 + 1", [.int(41)]).rows[0].int(0) == 42)
    }

    @Test func doublesRoundTrip() throws {
        let connection = try TestDatabase.connect()
        let values: [Double] = [
            0, -0.0, 1.5, -2.25, .pi, 1e300, -1e-300, 0.1, .greatestFiniteMagnitude, .leastNonzeroMagnitude,
            .infinity, -.infinity,
        ]
        for value in values {
            let decoded = try connection.execute("select $1::float8", [.double(value)]).rows[0].double(0)
            #expect(decoded == value)
            #expect(decoded?.sign == value.sign)
        }
        let nan = try connection.execute("select $1::float8", [.double(.nan)]).rows[0].double(0)
        #expect(nan?.isNaN == true)
    }

    @Test func booleansRoundTrip() throws {
        let connection = try TestDatabase.connect()
        for value in [true, false] {
            let row = try connection.execute("select $1::bool, not $1::bool", [.bool(value)]).rows[0]
            #expect(try row.bool(0) == value)
            #expect(try row.bool(1) == !value)
        }
    }

    @Test func byteaWithEveryByteValueRoundTrips() throws {
        let connection = try TestDatabase.connect()
        let bytes = (0...255).map { UInt8($0) } + (0...255).reversed().map { UInt8($0) }
        let row = try connection.execute("select $1::bytea, length($1::bytea)", [.bytes(bytes)]).rows[0]
        #expect(try row.bytes(0) == bytes)
        #expect(try row.int(1) == bytes.count)
        #expect(try connection.execute("select $1::bytea", [.bytes([])]).rows[0].bytes(0) == [])
    }

    @Test func nullOfEveryTypeDecodesAsNil() throws {
        let connection = try TestDatabase.connect()
        let row = try connection.execute(
            "select $1::text, $1::int8, $1::float8, $1::bool, $1::bytea, $1::text is null", [.null]
        ).rows[0]
        #expect(try row.string(0) == nil)
        #expect(try row.int64(1) == nil)
        #expect(try row.int(1) == nil)
        #expect(try row.double(2) == nil)
        #expect(try row.bool(3) == nil)
        #expect(try row.bytes(4) == nil)
        #expect(try row.bool(5) == true)
        // An empty string is not NULL.
        #expect(try connection.scalar("select $1::text is null", [""]) == "f")
    }

    @Test func convenienceConstructorsMapNilToNull() {
        #expect(PostgresValue(nil as String?) == .null)
        #expect(PostgresValue(7 as Int?) == .int64(7))
        #expect(PostgresValue([1, 2] as [UInt8]?) == .bytes([1, 2]))
        let literals: [PostgresValue] = ["a", 1, 2.5, true]
        #expect(literals == [.string("a"), .int64(1), .double(2.5), .bool(true)])
    }

    @Test func injectionLookingStringStaysAValue() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "name text") { table in
            let hostile = "'; drop table \(table); --"
            let inserted = try connection.execute("insert into \(table) (name) values ($1)", [.string(hostile)])
            #expect(inserted.affectedRows == 1)
            let found = try connection.execute("select name from \(table) where name = $1", [.string(hostile)])
            #expect(try found.rows.map { try $0.string("name") } == [hostile])
            #expect(try connection.scalar("select to_regclass($1) is not null", [.string(table)]) == "t")
        }
    }

    @Test func stringWithNULIsRefusedNotTruncated() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) {
            try connection.execute("select $1::text, $2::text", ["ok", "before\u{0}after"])
        }
        #expect(error.message.contains("$2"))
        #expect(try connection.scalar("select 1") == "1")
    }
}
