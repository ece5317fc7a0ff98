import Foundation
import PurplePagesTestSupport
import Testing

/// The test environment `make test` promises: a throwaway PostgreSQL whose URL is exported as
/// `PURPLEPAGES_TEST_DATABASE_URL` by `scripts/with-postgres`. Tests that need PostgreSQL fail, never
/// skip, when the URL is missing, so a CI run without a database cannot pass silently.
@Suite("Throwaway PostgreSQL")
struct ThrowawayPostgresTests {
    @Test func databaseURLIsExportedAndServerAnswers() async throws {
        let url = try TestDatabase.url()
        #expect(url.hasPrefix("postgresql://"))
        let output = try await Self.psql(url, "select current_database(), current_setting('fsync')")
        #expect(output == "purplepages_test|off")
    }

    @Test func serverIsWritableAndThrowaway() async throws {
        let url = try TestDatabase.url()
        let table = "harness_probe_\(UInt32.random(in: 0...UInt32.max))"
        let output = try await Self.psql(
            url,
            "create table \(table) (v text); insert into \(table) values ('ok'); select v from \(table);"
                + " drop table \(table);")
        #expect(output.split(separator: "\n").contains("ok"))
    }

    /// Runs `psql -At` with `sql` against `url` and returns its trimmed output; throws when it fails.
    static func psql(_ url: String, _ sql: String) async throws -> String {
        let result = try await ExternalCommand.onPath("psql").run([url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql])
        guard result.status == 0 else { throw TestFailure("psql failed: " + result.errors) }
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
