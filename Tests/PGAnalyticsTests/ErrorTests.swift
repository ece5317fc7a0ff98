import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("PostgreSQL errors")
struct ErrorTests {
    @Test func uniqueViolationCarriesSQLStateAndDetail() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "id int8 primary key") { table in
            try connection.execute("insert into \(table) (id) values ($1)", [1])
            let error = try #require(throws: PostgresError.self) {
                try connection.execute("insert into \(table) (id) values ($1)", [1])
            }
            #expect(error.sqlState == "23505")
            #expect(error.detail == "Key (id)=(1) already exists.")
            #expect(error.description.hasPrefix("PostgreSQL error 23505: duplicate key value"))
            #expect(!error.isConnectionFailure)
        }
        #expect(try connection.scalar("select 1") == "1")
    }

    @Test func syntaxErrorIs42601() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) { try connection.execute("selec 1") }
        #expect(error.sqlState == "42601")
        #expect(error.message.contains("syntax error"))
    }

    @Test func undefinedTableIs42P01() throws {
        let connection = try TestDatabase.connect()
        let table = TestDatabase.uniqueName("missing")
        let error = try #require(throws: PostgresError.self) { try connection.execute("select * from \(table)") }
        #expect(error.sqlState == "42P01")
        #expect(error.message.contains(table))
    }

    @Test func oneStatementPerCall() throws {
        let connection = try TestDatabase.connect()
        let error = try #require(throws: PostgresError.self) { try connection.execute("select 1; select 2") }
        #expect(error.sqlState == "42601")
    }

    @Test func copyStatementsAreRefusedByExecute() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "v text") { table throws in
            #expect(throws: PostgresError.self) { try connection.execute("copy \(table) from stdin") }
            #expect(throws: PostgresError.self) { try connection.execute("copy \(table) to stdout") }
            #expect(throws: PostgresError.self) { try connection.copyIn("select 1", rows: [[PostgresValue]]()) }
            #expect(try connection.scalar("select 1") == "1")
        }
    }
}
