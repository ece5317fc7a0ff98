import Foundation
import Logging
import PGAnalytics
import PurplePagesTestSupport
import RelayServices
import Testing

/// A schema of one tracking test's own (a `TestSchema`), holding the analytics tables, created
/// straight from the statements of `AnalyticsMigrations.all` and dropped, with everything in it,
/// afterwards.
struct TrackingSchema {
    let schema: TestSchema

    static func with<T>(_ body: (TrackingSchema) throws -> T) throws -> T {
        try TestSchema.with(prefix: "track") { schema in
            let tracking = TrackingSchema(schema: schema)
            let connection = try tracking.connect()
            for statement in AnalyticsMigrations.all.flatMap(\.statements) { try connection.execute(statement) }
            connection.close()
            return try body(tracking)
        }
    }

    /// The URL of this schema; `timeZone` is the session's, `applicationName` names the backend.
    func url(timeZone: String = "UTC", applicationName: String? = nil) -> String {
        schema.url(timeZone: timeZone, applicationName: applicationName)
    }

    /// A connection whose session reads and writes times in `timeZone` (UTC unless told).
    func connect(timeZone: String = "UTC") throws -> PostgresConnection {
        try PostgresConnection(url: url(timeZone: timeZone))
    }

    /// A connection for the sink to write through, in a zone far from UTC (+12:45 or +13:45):
    /// buckets and times must not depend on the session's zone.
    func writer() throws -> PostgresConnection { try connect(timeZone: "Pacific/Chatham") }

    /// Every row of `sql` as text, read in UTC.
    func rows(_ sql: String) throws -> [[String?]] {
        let connection = try connect()
        defer { connection.close() }
        return try connection.execute(sql).rows.map { row in try (0..<row.count).map { try row.string($0) } }
    }

    /// Every row of `table`, all columns, ordered by the first `orderBy` columns.
    func table(_ table: String, orderBy: Int) throws -> [[String?]] {
        try rows("select * from \(table) order by \((1...orderBy).map(String.init).joined(separator: ", "))")
    }

    /// The row count of `table`.
    func count(_ table: String) throws -> Int {
        let connection = try connect()
        defer { connection.close() }
        return Int(try #require(try connection.scalar("select count(*) from \(table)"))) ?? -1
    }
}

/// Fixtures for the tracking tests.
enum Track {
    /// A distinct 64-hex pubkey for each number; higher numbers sort later.
    static func pubkey(_ number: Int) -> String { String(repeating: "0", count: 56) + hex8(number) }

    /// A 64-hex event id for each number.
    static func eventID(_ number: Int) -> String { "e" + String(repeating: "0", count: 55) + hex8(number) }

    static let signature = String(repeating: "5a", count: 64)

    /// An ISO 8601 time (`2024-03-10T12:34:56.789Z`).
    static func time(_ text: String) -> Date {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)!
    }

    /// A URL nothing listens on: connecting fails at once.
    static let deadURL = "postgresql://postgres@127.0.0.1:1/none?connect_timeout=2&sslmode=disable"

    /// Polls `condition` every 20 ms for up to `seconds`; whether it came true.
    static func eventually(within seconds: Double = 3, _ condition: () throws -> Bool) rethrows -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if try condition() { return true }
            Thread.sleep(forTimeInterval: 0.02)
        }
        return try condition()
    }

    private static func hex8(_ number: Int) -> String {
        let digits = String(number, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }
}

/// A `TrackingFlusher` running on a `DedicatedThread`, as the relay runs it.
struct RunningFlusher {
    let flusher: TrackingFlusher
    private let thread: DedicatedThread

    init(
        sink: TrackingSink, url: String, interval: Duration, maxBackoff: Duration = .seconds(300),
        logger: Logger
    ) {
        let flusher = TrackingFlusher(sink: sink, url: url, interval: interval, maxBackoff: maxBackoff, logger: logger)
        self.flusher = flusher
        thread = DedicatedThread(name: "pp-flush-test") { flusher.run() }
    }

    /// Asks the flusher to stop and waits for its final flush; whether it ended within `timeout`.
    @discardableResult
    func stop(timeout: Duration = .seconds(10)) -> Bool {
        flusher.requestStop()
        return thread.join(timeout: timeout)
    }
}
