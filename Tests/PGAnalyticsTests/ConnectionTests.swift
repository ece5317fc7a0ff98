import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("PostgreSQL connection")
struct ConnectionTests {
    @Test func connectsAndSpeaksUTF8() throws {
        let connection = try TestDatabase.connect()
        #expect(connection.isConnected)
        #expect(!connection.isInTransaction)
        #expect(try connection.scalar("show client_encoding") == "UTF8")
        #expect(try connection.scalar("select current_database()") == "purplepages_test")
    }

    @Test func closeIsIdempotentAndLaterCallsThrow() throws {
        let connection = try TestDatabase.connect()
        connection.close()
        connection.close()
        #expect(!connection.isConnected)
        let error = try #require(throws: PostgresError.self) { try connection.execute("select 1") }
        #expect(error.isConnectionFailure)
    }

    @Test func unreachableServerGivesClearErrorWithoutPassword() throws {
        let error = try #require(throws: PostgresError.self) {
            try PostgresConnection(url: "postgresql://someone:s3cretPassw0rd@127.0.0.1:1/nowhere?connect_timeout=2")
        }
        #expect(error.isConnectionFailure)
        #expect(error.message.contains("127.0.0.1"))
        #expect(!error.description.contains("s3cretPassw0rd"))
    }

    @Test func malformedURLIsRejectedWithoutEchoingThePassword() throws {
        // libpq quotes a token it cannot decode back in its message.
        for url in [
            "postgresql://someone:s3cret%zzPass@127.0.0.1:1/db",
            "postgresql://someone:s3cretPass@[::1/db",
            "postgresql://127.0.0.1:1/db?password=s3cret%zzPass&bogus_option=1",
        ] {
            let error = try #require(throws: PostgresError.self) { try PostgresConnection(url: url) }
            #expect(!error.message.isEmpty)
            #expect(!error.description.contains("s3cret"), "\(error)")
        }
    }

    @Test func wrongDatabaseNameReportsTheServerMessage() throws {
        let url = try TestDatabase.url().replacingOccurrences(of: "/purplepages_test", with: "/no_such_database")
        let error = try #require(throws: PostgresError.self) { try PostgresConnection(url: url) }
        #expect(error.message.contains("no_such_database"))
    }

    @Test func terminatedBackendIsAConnectionFailure() throws {
        let victim = try TestDatabase.connect()
        let killer = try TestDatabase.connect()
        let pid = try #require(try victim.execute("select pg_backend_pid()").rows.first?.int(0))
        // The timeout makes the call wait until the backend has exited.
        #expect(try killer.scalar("select pg_terminate_backend($1::int, 5000)", [.int(pid)]) == "t")

        let error = try #require(throws: PostgresError.self) { try victim.execute("select 1") }
        #expect(error.isConnectionFailure, "\(error)")
        #expect(!victim.isConnected)
        let again = try #require(throws: PostgresError.self) { try victim.execute("select 1") }
        #expect(again.isConnectionFailure, "\(again)")
        victim.close()
        #expect(try killer.scalar("select 1") == "1")
    }
}
