import Foundation
import Logging
import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("Tracking flusher: the background thread")
struct TrackingFlusherTests {
    static let now = Track.time("2024-03-10T12:34:56.789Z")

    @Test func writesEveryIntervalWithoutAnExplicitFlush() throws {
        try TrackingSchema.with { schema throws in
            let sink = TrackingSink(limits: TrackingLimits())
            let logs = RecordedLogs()
            let flusher = RunningFlusher(
                sink: sink, url: schema.url(), interval: .milliseconds(200), logger: logs.logger)
            sink.recordRequest(ip: "192.0.2.1", authors: [Track.pubkey(1)], kinds: [1], now: Self.now)
            #expect(try Track.eventually { try schema.count("req_pubkey_popularity") == 1 })
            // And again: the flusher keeps going, on the same connection.
            sink.recordRequest(ip: "192.0.2.1", authors: [Track.pubkey(1)], kinds: [1], now: Self.now)
            #expect(
                try Track.eventually { try schema.rows("select total_requests from req_pubkey_popularity") == [["2"]] })
            #expect(flusher.stop())
            #expect(sink.pendingKeys == 0 && sink.flushFailures == 0)
            #expect(logs.all.isEmpty)
        }
    }

    @Test func stopWritesWhatIsLeftAtOnce() throws {
        try TrackingSchema.with { schema throws in
            let sink = TrackingSink(limits: TrackingLimits())
            let flusher = RunningFlusher(
                sink: sink, url: schema.url(), interval: .seconds(3600), logger: RecordedLogs().logger)
            sink.recordRejectedRequestKind(kind: 7, now: Self.now)
            let started = Date()
            #expect(flusher.stop())
            #expect(Date().timeIntervalSince(started) < 2)
            #expect(try schema.rows("select kind, request_count from rejected_req_kinds") == [["7", "1"]])
            // Stopping again returns at once.
            #expect(flusher.stop(timeout: .milliseconds(100)))
        }
    }

    @Test func keepsEverythingWhileTheServerIsUnreachableAndStopsPromptly() throws {
        try TrackingSchema.with { schema throws in
            let sink = TrackingSink(limits: TrackingLimits())
            let logs = RecordedLogs()
            let flusher = RunningFlusher(
                sink: sink, url: Track.deadURL, interval: .milliseconds(50), maxBackoff: .milliseconds(100),
                logger: logs.logger)
            sink.recordRequest(ip: "192.0.2.1", authors: [Track.pubkey(1), Track.pubkey(2)], kinds: [1], now: Self.now)
            let held = sink.pendingKeys
            #expect(Track.eventually { sink.flushFailures >= 3 })
            sink.recordRequest(ip: "192.0.2.1", authors: [Track.pubkey(1)], kinds: [1], now: Self.now)
            // Failing is said once, not at every attempt.
            #expect(logs.count(containing: "cannot write to PostgreSQL", at: .warning) == 1)
            #expect(sink.lastFlushError != nil)
            let started = Date()
            #expect(flusher.stop())
            #expect(Date().timeIntervalSince(started) < 1)
            // What the final flush could not write is lost: an error.
            #expect(logs.count(containing: "final flush failed", at: .error) == 1)
            #expect(sink.pendingKeys == held && sink.droppedKeys == 0)

            // Nothing was lost or counted twice.
            try sink.flush(to: schema.writer())
            #expect(
                try schema.rows("select pubkey, total_requests from req_pubkey_popularity order by 1") == [
                    [Track.pubkey(1), "2"], [Track.pubkey(2), "1"],
                ])
            #expect(try schema.rows("select request_count from ip_traffic_daily") == [["2"]])
        }
    }

    @Test func reconnectsAfterItsBackendIsKilledAndSaysSoOnce() throws {
        try TrackingSchema.with { schema throws in
            let sink = TrackingSink(limits: TrackingLimits())
            let logs = RecordedLogs()
            let application = TestDatabase.uniqueName("flusher")
            let flusher = RunningFlusher(
                sink: sink, url: schema.url(applicationName: application), interval: .milliseconds(100),
                logger: logs.logger)
            defer { flusher.stop() }
            sink.recordRejectedRequestKind(kind: 1, now: Self.now)
            #expect(try Track.eventually { try schema.count("rejected_req_kinds") == 1 })

            let admin = try schema.connect()
            let killed = try admin.scalar(
                "select count(pg_terminate_backend(pid, 5000)) from pg_stat_activity where application_name = $1",
                [.string(application)])
            #expect(killed == "1")
            sink.recordRejectedRequestKind(kind: 1, now: Self.now)
            sink.recordRejectedRequestKind(kind: 2, now: Self.now)
            #expect(
                try Track.eventually {
                    try schema.rows("select kind, request_count from rejected_req_kinds order by 1") == [
                        ["1", "2"], ["2", "1"],
                    ]
                })
            #expect(Track.eventually { logs.count(containing: "writing to PostgreSQL again", at: .notice) == 1 })
            #expect(logs.count(containing: "cannot write to PostgreSQL") == 1)
            #expect(sink.flushFailures == 1)
            #expect(sink.lastFlushError == nil)
        }
    }

    @Test func droppingKeysIsLoggedOncePerEpisode() throws {
        try TrackingSchema.with { schema throws in
            let sink = TrackingSink(limits: TrackingLimits(maxKeys: 2))
            let logs = RecordedLogs()
            let flusher = RunningFlusher(
                sink: sink, url: schema.url(), interval: .milliseconds(100), logger: logs.logger)
            defer { flusher.stop() }
            // New keys past the bound, faster than the interval, across several intervals: one episode.
            var kind = 0
            func burst(seconds: Double) {
                let end = Date().addingTimeInterval(seconds)
                while Date() < end {
                    kind += 1
                    sink.recordRejectedRequestKind(kind: kind, now: Self.now)
                    Thread.sleep(forTimeInterval: 0.002)
                }
            }
            burst(seconds: 0.4)
            #expect(Track.eventually { logs.count(containing: "no longer dropping keys") == 1 })
            #expect(
                logs.count(containing: "analytics: dropping new keys past 2 until the next flush", at: .warning) == 1)
            #expect(sink.droppedKeys > 0)
            // A new episode is said again.
            burst(seconds: 0.15)
            #expect(Track.eventually { logs.count(containing: "no longer dropping keys") == 2 })
            #expect(logs.count(containing: "dropping new keys past 2") == 2)
        }
    }
}
