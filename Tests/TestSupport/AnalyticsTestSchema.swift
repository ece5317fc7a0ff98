import Foundation
import PGAnalytics

/// A PostgreSQL schema of one test's own in the test database (`make test`'s throwaway server),
/// dropped when released: `url` puts everything a relay or sink creates there.
public final class AnalyticsTestSchema {
    /// The schema's name.
    public let name: String
    /// The test database's URL with `search_path` set to this schema.
    public let url: String
    /// A connection to the test database (any schema; qualify table names with `name`).
    public let admin: PostgresConnection

    /// Creates a schema named `prefix_<random>`.
    public init(prefix: String) throws {
        let base = try TestDatabase.url()
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
