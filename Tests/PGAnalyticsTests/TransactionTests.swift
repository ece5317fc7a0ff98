import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("PostgreSQL transactions")
struct TransactionTests {
    struct Abort: Error {}

    @Test func commitsWhenBodyReturns() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "v int8") { table throws in
            let value = try connection.transaction {
                #expect(connection.isInTransaction)
                try connection.execute("insert into \(table) values ($1)", [1])
                return "done"
            }
            #expect(value == "done")
            #expect(!connection.isInTransaction)
            // Another session sees it: committed, not just visible inside our own.
            let other = try TestDatabase.connect()
            #expect(try other.scalar("select count(*) from \(table)") == "1")
        }
    }

    @Test func rollsBackAndRethrowsWhenBodyThrows() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "v int8") { table throws in
            #expect(throws: Abort.self) {
                try connection.transaction {
                    try connection.execute("insert into \(table) values ($1)", [1])
                    throw Abort()
                }
            }
            #expect(!connection.isInTransaction)
            #expect(try connection.scalar("select count(*) from \(table)") == "0")
        }
    }

    @Test func sqlErrorCaughtInsideTheBodyStillRollsBack() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "v int8 primary key") { table throws in
            #expect(throws: PostgresError.self) {
                try connection.transaction {
                    try connection.execute("insert into \(table) values ($1)", [1])
                    _ = try? connection.execute("insert into \(table) values ($1)", [1])
                }
            }
            #expect(!connection.isInTransaction)
            #expect(try connection.scalar("select count(*) from \(table)") == "0")
        }
    }

    @Test func nestedTransactionRollsBackOnlyItsOwnWork() throws {
        let connection = try TestDatabase.connect()
        try TestDatabase.withTable(connection, "v int8") { table throws in
            try connection.transaction {
                try connection.execute("insert into \(table) values ($1)", [1])
                #expect(throws: Abort.self) {
                    try connection.transaction {
                        try connection.execute("insert into \(table) values ($1)", [2])
                        throw Abort()
                    }
                }
                try connection.transaction { try connection.execute("insert into \(table) values ($1)", [3]) }
                #expect(connection.isInTransaction)
            }
            let values = try connection.execute("select v from \(table) order by v").rows.map { try $0.int("v") }
            #expect(values == [1, 3])
        }
    }
}
