import Foundation
import Testing

/// The test environment `make test` promises: a throwaway PostgreSQL whose URL is exported as
/// `PURPLEPAGES_TEST_DATABASE_URL` by `scripts/with-postgres`. Tests that need PostgreSQL fail, never
/// skip, when the URL is missing, so a CI run without a database cannot pass silently.
@Suite("Throwaway PostgreSQL")
struct ThrowawayPostgresTests {
    @Test func databaseURLIsExportedAndServerAnswers() throws {
        let url = try TestDatabase.url()
        #expect(url.hasPrefix("postgresql://"))
        let output = try TestDatabase.psql(url, "select current_database(), current_setting('fsync')")
        #expect(output == "purplepages_test|off")
    }

    @Test func serverIsWritableAndThrowaway() throws {
        let url = try TestDatabase.url()
        let table = "harness_probe_\(UInt32.random(in: 0...UInt32.max))"
        let output = try TestDatabase.psql(
            url,
            "create table \(table) (v text); insert into \(table) values ('ok'); select v from \(table);"
                + " drop table \(table);")
        #expect(output.split(separator: "\n").contains("ok"))
    }
}

/// Finds the test database, or fails with an error saying how to get one.
enum TestDatabase {
    struct Missing: Error, CustomStringConvertible {
        var description: String {
            "PURPLEPAGES_TEST_DATABASE_URL is not set: run the tests with `make test` (or scripts/with-postgres swift test)"
        }
    }

    struct CommandFailed: Error, CustomStringConvertible {
        var description: String
    }

    static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["PURPLEPAGES_TEST_DATABASE_URL"], !url.isEmpty else {
            throw Missing()
        }
        return url
    }

    /// Runs `psql -At` with `sql` and returns its trimmed output.
    static func psql(_ url: String, _ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["psql", url, "-v", "ON_ERROR_STOP=1", "-qAtc", sql]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw CommandFailed(description: "psql failed: " + String(decoding: errorData, as: UTF8.self))
        }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
