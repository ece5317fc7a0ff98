import PGAnalytics
import PurplePagesConfiguration

/// `analytics.*` as the relay's analytics components take it: the one place these keys become
/// PGAnalytics's own settings.
extension AnalyticsConfiguration {
    /// `analytics.max_pending_keys`: what the tracking sink holds between flushes.
    public var trackingLimits: TrackingLimits { TrackingLimits(maxKeys: maxPendingKeys) }

    /// `analytics.retention.*`: what the daily retention deletes (`history_days` 0 keeps forever).
    public var retentionPolicy: AnalyticsRetention {
        AnalyticsRetention(
            hourlyDays: retention.hourlyDays, dailyDays: retention.dailyDays,
            cooccurrenceMaxRows: retention.cooccurrenceMaxRows,
            cooccurrenceMaxAgeDays: retention.cooccurrenceMaxAgeDays,
            historyDays: retention.historyDays > 0 ? retention.historyDays : nil)
    }

    /// `analytics.flush_seconds`.
    public var flushInterval: Duration { .seconds(flushSeconds) }

    /// `analytics.reload_minutes`, in seconds.
    public var trustReloadSeconds: Double { Double(worker.reloadMinutes * 60) }
}
