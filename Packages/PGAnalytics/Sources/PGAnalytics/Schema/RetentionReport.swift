/// How many rows one `AnalyticsRetention.apply` deleted, table by table.
public struct RetentionReport: Sendable, Equatable, CustomStringConvertible {
    /// `ip_traffic_hourly` rows past `hourlyDays`.
    public var ipTrafficHourly = 0
    /// `ip_traffic_daily` rows past `dailyDays`.
    public var ipTrafficDaily = 0
    /// `req_kind_daily` rows past `dailyDays`.
    public var reqKindDaily = 0
    /// `storage_snapshots_daily` rows past `dailyDays`.
    public var storageSnapshotsDaily = 0
    /// `req_author_cooccurrence` rows not seen for `cooccurrenceMaxAgeDays`.
    public var cooccurrenceExpired = 0
    /// `req_author_cooccurrence` rows beyond `cooccurrenceMaxRows` (the least asked-for), after
    /// the expired ones went.
    public var cooccurrenceOverCap = 0
    /// `event_history` rows archived before `historyDays` (0 when it is kept forever).
    public var eventHistory = 0

    /// A report of nothing deleted, to fill in.
    public init() {}

    /// Everything `req_author_cooccurrence` lost.
    public var reqAuthorCooccurrence: Int { cooccurrenceExpired + cooccurrenceOverCap }

    /// Every row deleted, all tables together.
    public var total: Int {
        ipTrafficHourly + ipTrafficDaily + reqKindDaily + storageSnapshotsDaily + reqAuthorCooccurrence + eventHistory
    }

    /// One line for the relay's log: `ip_traffic_hourly -12, ... (total -40)`.
    public var description: String {
        let parts = [
            ("ip_traffic_hourly", ipTrafficHourly), ("ip_traffic_daily", ipTrafficDaily),
            ("req_kind_daily", reqKindDaily), ("storage_snapshots_daily", storageSnapshotsDaily),
            ("req_author_cooccurrence expired", cooccurrenceExpired),
            ("req_author_cooccurrence over cap", cooccurrenceOverCap), ("event_history", eventHistory),
        ]
        return parts.map { "\($0) -\($1)" }.joined(separator: ", ") + " (total -\(total))"
    }
}
