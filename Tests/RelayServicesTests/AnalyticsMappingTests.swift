import PGAnalytics
import PurplePagesConfiguration
import RelayServices
import Testing

/// `analytics.*` as the relay's analytics components take it.
@Suite("Configuration: the relay's analytics settings")
struct AnalyticsMappingTests {
    @Test func defaultsMatchPGAnalyticsDefaults() {
        let analytics = RelayConfiguration().analytics
        #expect(analytics.trackingLimits == TrackingLimits())
        let retention = analytics.retentionPolicy
        let bare = AnalyticsRetention()
        #expect(retention.hourlyDays == bare.hourlyDays && retention.dailyDays == bare.dailyDays)
        #expect(retention.cooccurrenceMaxRows == bare.cooccurrenceMaxRows)
        #expect(retention.cooccurrenceMaxAgeDays == bare.cooccurrenceMaxAgeDays)
        #expect(retention.historyDays == nil)
        #expect(analytics.flushInterval == .seconds(15) && analytics.trustReloadSeconds == 300)
    }

    @Test func everyKeyIsCarriedOver() throws {
        let configuration = try RelayConfiguration.parse(
            Array(
                """
                {"analytics": {"flush_seconds": 7, "max_pending_keys": 5000, "reload_minutes": 2,
                  "retention": {"hourly_days": 3, "daily_days": 90, "cooccurrence_max_rows": 10,
                                "cooccurrence_max_age_days": 4, "history_days": 30}}}
                """.utf8))
        let analytics = configuration.analytics
        #expect(analytics.trackingLimits.maxKeys == 5000)
        #expect(analytics.flushInterval == .seconds(7) && analytics.trustReloadSeconds == 120)
        let retention = analytics.retentionPolicy
        #expect(retention.hourlyDays == 3 && retention.dailyDays == 90)
        #expect(retention.cooccurrenceMaxRows == 10 && retention.cooccurrenceMaxAgeDays == 4)
        #expect(retention.historyDays == 30)
    }
}
