import Foundation
import PGAnalytics

/// A failure of the test machinery (a missing binary or database), saying what to do.
public struct TestSetupFailure: Error, CustomStringConvertible {
    /// What is missing and how to get it.
    public var description: String
    /// A failure described by `description`.
    public init(_ description: String) { self.description = description }
}

/// The throwaway PostgreSQL `make test` starts (`scripts/with-postgres`). Tests that need it fail,
/// never skip, when it is missing, so a run without a database cannot pass silently.
public enum TestDatabase {
    /// The database's URL.
    public static func url() throws -> String {
        guard let url = ProcessInfo.processInfo.environment["PURPLEPAGES_TEST_DATABASE_URL"], !url.isEmpty else {
            throw TestSetupFailure(
                "PURPLEPAGES_TEST_DATABASE_URL is not set: run the tests with `make test` "
                    + "(or scripts/with-postgres swift test)")
        }
        return url
    }

    /// Runs `body` with the URL of a schema of its own (via `search_path`), dropped afterwards, so
    /// tests running side by side never see each other's tables.
    public static func withSchema<T>(_ body: (_ url: String) async throws -> T) async throws -> T {
        let base = try url()
        let name = "t_\(String(UInt64.random(in: 0...UInt64.max), radix: 36))"
        let admin = try PostgresConnection(url: base)
        defer { admin.close() }
        try admin.execute("CREATE SCHEMA \(name)")
        defer { _ = try? admin.execute("DROP SCHEMA \(name) CASCADE") }
        return try await body(base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)")
    }
}
