import Foundation
import PGAnalytics
import Synchronization

/// A PostgreSQL schema of one test's own in the test database, dropped with everything in it by
/// `drop()` (or when released). Connections made from `url` create and find their tables there
/// (`search_path`), so tests running side by side on one database never see each other's rows.
public final class TestSchema: Sendable {
    /// The schema's name.
    public let name: String
    /// A connection to the test database outside the schema (qualify table names with `name`).
    public let admin: PostgresConnection
    private let databaseURL: String
    private let dropped = Atomic<Bool>(false)

    /// Creates a schema named `prefix_<random>`.
    public init(prefix: String) throws {
        databaseURL = try TestDatabase.url()
        name = TestDatabase.uniqueName(prefix)
        admin = try PostgresConnection(url: databaseURL)
        do {
            try admin.execute("CREATE SCHEMA \(name)")
        } catch {
            admin.close()
            throw error
        }
    }

    deinit { drop() }

    /// Runs `body` with a new schema, dropped afterwards.
    public static func with<T>(prefix: String = "schema", _ body: (TestSchema) throws -> T) throws -> T {
        let schema = try TestSchema(prefix: prefix)
        defer { schema.drop() }
        return try body(schema)
    }

    /// Runs `body` with a new schema, dropped afterwards.
    public static func with<T>(
        prefix: String = "schema", _ body: (TestSchema) async throws -> T
    ) async throws -> T {
        let schema = try TestSchema(prefix: prefix)
        defer { schema.drop() }
        return try await body(schema)
    }

    /// The test database's URL with `search_path` set to this schema.
    public var url: String { url(timeZone: nil) }

    /// `url`, with the session's time zone set to `timeZone` and the backend named `applicationName`
    /// when given.
    public func url(timeZone: String?, applicationName: String? = nil) -> String {
        var url = databaseURL + (databaseURL.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)"
        if let timeZone { url += "%20-cTimeZone%3D" + timeZone.replacing("/", with: "%2F") }
        if let applicationName { url += "&application_name=\(applicationName)" }
        return url
    }

    /// A new connection whose tables are this schema's.
    public func connect() throws -> PostgresConnection {
        try PostgresConnection(url: url)
    }

    /// Drops the schema with everything in it (once; later calls do nothing).
    public func drop() {
        guard !dropped.exchange(true, ordering: .relaxed) else { return }
        _ = try? admin.execute("DROP SCHEMA \(name) CASCADE")
        admin.close()
    }
}
