import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("PostgreSQL results")
struct ResultTests {
    @Test func columnsRowsAndAffectedRows() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "id int8, name text") { table in
            let inserted = try connection.execute(
                "insert into \(table) select g, 'n' || g from generate_series(1, 5) g")
            #expect(inserted.affectedRows == 5)
            #expect(inserted.rowCount == 0)
            let updated = try connection.execute("update \(table) set name = $1 where id > $2", ["x", 3])
            #expect(updated.affectedRows == 2)

            let result = try connection.execute("select id, name from \(table) order by id")
            #expect(result.columnNames == ["id", "name"])
            #expect(result.rowCount == 5)
            #expect(result.affectedRows == 5)
            #expect(try result.rows.map { try $0.int64("id") } == [1, 2, 3, 4, 5])
            #expect(try result.rows.map { try $0.string(1) } == ["n1", "n2", "n3", "x", "x"])
            #expect(result.rows.last?.columnNames == ["id", "name"])
        }
    }

    @Test func rowsOutliveTheConnection() throws {
        let connection = try TestDatabase.connect()
        let result = try connection.execute("select 'kept' as word")
        connection.close()
        #expect(try result.rows[0].string("word") == "kept")
    }

    @Test func decodingErrorsNameTheColumn() throws {
        let connection = try TestDatabase.connect()
        let row = try connection.execute(
            "select 'abc' as label, 1.5 as ratio, 99999999999 as big, 'yes' as answer"
        ).rows[0]
        let notInteger = try #require(throws: PostgresError.self) { try row.int64("label") }
        #expect(notInteger.message.contains("\"label\""))
        #expect(notInteger.message.contains("abc"))
        let notInt = try #require(throws: PostgresError.self) { try row.int(1) }
        #expect(notInt.message.contains("\"ratio\""))
        let notDouble = try #require(throws: PostgresError.self) { try row.double("answer") }
        #expect(notDouble.message.contains("\"answer\""))
        let notBool = try #require(throws: PostgresError.self) { try row.bool("answer") }
        #expect(notBool.message.contains("\"answer\""))
        let notBytea = try #require(throws: PostgresError.self) { try row.bytes("label") }
        #expect(notBytea.message.contains("\"label\""))
        let unknown = try #require(throws: PostgresError.self) { try row.string("nope") }
        #expect(unknown.message.contains("nope"))
        let outOfRange = try #require(throws: PostgresError.self) { try row.string(4) }
        #expect(outOfRange.message.contains("#4"))
        #expect(try row.double("ratio") == 1.5)
        #expect(try row.int64("big") == 99_999_999_999)
    }

    @Test func duplicateColumnNamesReadTheFirst() throws {
        let connection = try TestDatabase.connect()
        let row = try connection.execute("select 1 as a, 2 as a").rows[0]
        #expect(try row.int("a") == 1)
        #expect(try row.int(1) == 2)
    }
}
