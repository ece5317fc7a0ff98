import Foundation
import PGAnalytics

/// A PostgreSQL schema of one test's own in the test database (`make test`'s throwaway server),
/// dropped when released: `url` puts everything a relay or sink creates there.
final class AnalyticsTestSchema {
    let name: String
    /// The test database's URL with `search_path` set to this schema.
    let url: String
    /// A connection to the test database (any schema; qualify table names with `name`).
    let admin: PostgresConnection

    init(prefix: String) throws {
        guard let base = ProcessInfo.processInfo.environment["PURPLEPAGES_TEST_DATABASE_URL"], !base.isEmpty else {
            throw TestFailure("PURPLEPAGES_TEST_DATABASE_URL is not set: run the tests with `make test`")
        }
        name = "\(prefix)_\(UInt32.random(in: 0...UInt32.max))"
        url = base + (base.contains("?") ? "&" : "?") + "options=-csearch_path%3D" + name
        admin = try PostgresConnection(url: base)
        try admin.execute("CREATE SCHEMA \(name)")
    }

    deinit {
        _ = try? admin.execute("DROP SCHEMA \(name) CASCADE")
        admin.close()
    }
}
