import Foundation
import LMDBStore
import Logging
import PGAnalytics

/// The relay's slow analytics chores, a `BackgroundLoop` for a thread of its own (libpq blocks):
/// bring the analytics schema up to date at start (retrying every 30 s while PostgreSQL is
/// unreachable, without holding up the relay), reload the analytics worker's trust results every
/// `reloadSeconds`, and once a day record the store's size and apply retention. PostgreSQL
/// unreachable (or a chore failing) is a warning, said once until it works again.
final class AnalyticsMaintenance: BackgroundLoop, @unchecked Sendable {
    private let url: String
    private let retention: AnalyticsRetention
    private let store: EventStore
    private let tracking: TrackingSink
    private let trustedFollowers: AnalyticsTrustResults?
    private let reloadSeconds: Double
    private let logger: Logger
    private let condition = NSCondition()
    private var stopped = false

    init(
        url: String, retention: AnalyticsRetention, store: EventStore, tracking: TrackingSink,
        trustedFollowers: AnalyticsTrustResults? = nil, reloadSeconds: Double = 300,
        logger: Logger
    ) {
        self.trustedFollowers = trustedFollowers
        self.reloadSeconds = reloadSeconds
        self.url = url
        self.retention = retention
        self.store = store
        self.tracking = tracking
        self.logger = logger
    }

    /// Asks `run()` to return between two chores; returns at once.
    func requestStop() {
        condition.lock()
        stopped = true
        condition.broadcast()
        condition.unlock()
    }

    /// Does the chores on the calling thread until a stop is requested.
    func run() {
        var migrated = false
        var lastDay: Date?
        var reportedFailure = false
        while !isStopped {
            do {
                let connection = try PostgresConnection(url: url)
                defer { connection.close() }
                if !migrated {
                    let applied = try AnalyticsSchema.migrate(connection)
                    migrated = true
                    if applied.isEmpty {
                        logger.info("analytics: schema up to date")
                    } else {
                        logger.info("analytics: applied migrations \(applied)")
                    }
                }
                let today = Calendar.utc.startOfDay(for: Date())
                if lastDay != today {
                    if let statistics = try? store.statistics() {
                        tracking.recordStorageSnapshot(
                            day: today, storeBytes: Int64(statistics.sizeBytes),
                            eventCount: Int64(statistics.totalEvents))
                    }
                    let report = try retention.apply(connection)
                    logger.info("analytics: daily snapshot recorded, retention: \(report)")
                    lastDay = today
                }
                if let trustedFollowers {
                    let before = trustedFollowers.counts
                    let loaded = try trustedFollowers.reload(from: connection)
                    if loaded != before {
                        logger.info(
                            """
                            analytics: trust results loaded: \(loaded.trusted) trusted pubkeys, \
                            \(loaded.withFollowerCount) with enough trusted followers to skip the daily limit
                            """)
                    }
                }
                if reportedFailure { logger.notice("analytics: PostgreSQL is reachable again") }
                reportedFailure = false
                wait(seconds: trustedFollowers == nil ? 3600 : min(3600, reloadSeconds))
            } catch {
                if !reportedFailure { logger.warning("analytics: maintenance failed, retrying every 30 s: \(error)") }
                reportedFailure = true
                wait(seconds: 30)
            }
        }
    }

    private var isStopped: Bool {
        condition.lock()
        defer { condition.unlock() }
        return stopped
    }

    private func wait(seconds: Double) {
        condition.lock()
        if !stopped { _ = condition.wait(until: Date(timeIntervalSinceNow: seconds)) }
        condition.unlock()
    }
}

extension Calendar {
    /// The Gregorian calendar in UTC: analytics days are UTC days.
    static let utc: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()
}
