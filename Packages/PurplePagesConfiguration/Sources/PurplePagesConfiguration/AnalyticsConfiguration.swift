/// `analytics.*`: what the relay records in the analytics database, and how long it keeps it.
/// The analytics worker's own keys are in `worker`.
public struct AnalyticsConfiguration: Sendable {
    /// Seconds between two flushes of the relay's tracking to PostgreSQL.
    public var flushSeconds = 15
    /// Distinct keys (pubkeys, IPs, kinds, pairs...) held between flushes; past it new keys are
    /// dropped and counted.
    public var maxPendingKeys = 200_000
    /// Kinds whose replaced versions are kept in `event_history`.
    public var historyKinds: [Int] = [0, 3, 10002]
    /// How long tracking rows are kept (applied daily by the relay).
    public var retention = Retention()
    /// The analytics worker's schedule and job parameters.
    public var worker = AnalyticsWorkerConfiguration()

    /// `analytics.retention.*`.
    public struct Retention: Sendable {
        /// `ip_traffic_hourly`.
        public var hourlyDays = 14
        /// Daily tables (`ip_traffic_daily`, `req_kind_daily`, `storage_snapshots_daily`).
        public var dailyDays = 400
        /// `req_author_cooccurrence`: at most this many rows (the most asked-for stay)...
        public var cooccurrenceMaxRows = 1_000_000
        /// ...none older than this.
        public var cooccurrenceMaxAgeDays = 30
        /// `event_history`; 0 keeps it forever.
        public var historyDays = 0

        /// The defaults.
        public init() {}
    }

    /// The defaults.
    public init() {}

    mutating func read(_ reader: inout ConfigurationReader) throws(ConfigurationError) {
        if let value = try reader.integer("analytics.flush_seconds", in: 1...86_400) { flushSeconds = value }
        if let value = try reader.integer("analytics.max_pending_keys", in: 1_000...100_000_000) {
            maxPendingKeys = value
        }
        if let value = try reader.integers("analytics.history_kinds") {
            for (index, kind) in value.enumerated() where !(0...65_535).contains(kind) {
                throw reader.error("analytics.history_kinds[\(index)]", "not a kind: \(kind)")
            }
            historyKinds = value
        }
        if let value = try reader.integer("analytics.retention.hourly_days", in: 1...3650) {
            retention.hourlyDays = value
        }
        if let value = try reader.integer("analytics.retention.daily_days", in: 1...36500) {
            retention.dailyDays = value
        }
        if let value = try reader.integer("analytics.retention.cooccurrence_max_rows", in: 1...1_000_000_000) {
            retention.cooccurrenceMaxRows = value
        }
        if let value = try reader.integer("analytics.retention.cooccurrence_max_age_days", in: 1...3650) {
            retention.cooccurrenceMaxAgeDays = value
        }
        if let value = try reader.integer("analytics.retention.history_days", in: 0...36500) {
            retention.historyDays = value
        }
        try worker.read(&reader)
    }
}
