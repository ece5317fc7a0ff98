import Foundation
import PGAnalytics
import Testing

/// The throwaway PostgreSQL `make test` starts (`scripts/with-postgres`). Tests that need it fail,
/// never skip, when it is missing, so a run without a database cannot pass silently.
public enum TestDatabase {
    /// The database's URL.
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["PURPLEPAGES_TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestFailure(
                "PURPLEPAGES_TEST_DATABASE_URL is not set: run the tests with `make test` "
                    + "(or scripts/with-postgres swift test)")
        }
        return url
    }

    /// A new connection to the database (schema `public`).
    public static func connect() throws -> PostgresConnection {
        try PostgresConnection(url: url())
    }

    /// A table or schema name no test running alongside uses: `prefix_<random>`.
    public static func uniqueName(_ prefix: String) -> String {
        "\(prefix)_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
    }

    /// Creates a uniquely named table with `columns` (SQL column definitions), passes its name to
    /// `body` and drops it afterwards.
    public static func withTable<T>(
        _ connection: PostgresConnection, _ columns: String, _ body: (String) throws -> T
    ) throws -> T {
        let table = uniqueName("pgtest")
        try connection.execute("create table \(table) (\(columns))")
        defer { _ = try? connection.execute("drop table if exists \(table)") }
        return try body(table)
    }

    /// Runs `body` with the URL of a schema of its own (a `TestSchema`), dropped afterwards, so
    /// tests running side by side never see each other's tables.
    public static func withSchema<T>(_ body: (_ url: String) async throws -> T) async throws -> T {
        try await TestSchema.with(prefix: "t") { schema in try await body(schema.url) }
    }
}

extension PostgresConnection {
    /// The single value of a one-row, one-column query, as text.
    public func scalar(_ sql: String, _ parameters: [PostgresValue] = []) throws -> String? {
        let result = try execute(sql, parameters)
        try #require(result.rowCount == 1)
        return try result.rows[0].string(0)
    }
}
