import Foundation
import PurplePagesTestSupport
import Testing

@testable import PGAnalytics

@Suite("Tracking sink: bounds and failed flushes")
struct TrackingBoundsTests {
    static let now = Track.time("2024-03-10T12:34:56.789Z")

    @Test func newKeysPastTheBoundAreDroppedWhileHeldKeysKeepCounting() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits(maxKeys: 5, maxHistoryEvents: 2))
            for kind in 1...5 { sink.recordRejectedRequestKind(kind: kind, now: Self.now) }
            sink.recordRejectedRequestKind(kind: 6, now: Self.now)
            sink.recordRejectedRequestKind(kind: 7, now: Self.now)
            for _ in 0..<3 { sink.recordRejectedRequestKind(kind: 1, now: Self.now) }
            // An IP's hour and day are two new keys.
            sink.recordServed(ip: "192.0.2.1", events: 1, now: Self.now)
            // A day's storage snapshot is outside the bound.
            sink.recordStorageSnapshot(day: Self.now, storeBytes: 1, eventCount: 1, now: Self.now)
            for number in 1...3 {
                sink.recordReplacedEvent(
                    ArchivedEvent(
                        id: Track.eventID(number), pubkey: Track.pubkey(1), kind: 0, createdAt: 1, tagsJSON: "[]",
                        content: "", sig: Track.signature, archivedAt: Self.now))
            }
            #expect(sink.pendingKeys == 5)
            #expect(sink.droppedKeys == 4)
            #expect(sink.pendingHistoryEvents == 2 && sink.droppedHistory == 1)

            let report = try sink.flush(to: schema.writer())
            #expect(report.rowsByTable == ["rejected_req_kinds": 5, "event_history": 2, "storage_snapshots_daily": 1])
            #expect(
                try schema.rows("select kind, request_count from rejected_req_kinds order by kind") == [
                    ["1", "4"], ["2", "1"], ["3", "1"], ["4", "1"], ["5", "1"],
                ])
            // A flush frees the room; the counts of drops stay.
            sink.recordRejectedRequestKind(kind: 6, now: Self.now)
            #expect(sink.pendingKeys == 1 && sink.droppedKeys == 4)
        }
    }

    @Test func mergingBackAFailedBatchKeepsItFirstAndDropsWhatNoLongerFits() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits(maxKeys: 3))
            for kind in 1...3 { sink.recordRejectedRequestKind(kind: kind, now: Self.now) }
            // What a flush does before its I/O, then records arriving while it waits on PostgreSQL.
            var batch = sink.state.withLock { $0.takePending() }
            for kind in [3, 4, 5] { sink.recordRejectedRequestKind(kind: kind, now: Self.now) }
            #expect(sink.pendingKeys == 3 && sink.droppedKeys == 0)
            sink.state.withLock { $0.restore(&batch) }
            #expect(sink.pendingKeys == 3)
            #expect(sink.droppedKeys == 2)
            try sink.flush(to: schema.writer())
            #expect(
                try schema.rows("select kind, request_count from rejected_req_kinds order by kind") == [
                    ["1", "1"], ["2", "1"], ["3", "2"],
                ])
        }
    }

    @Test func aFlushToAKilledBackendKeepsEverythingForTheNextFlush() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let (pk1, pk2) = (Track.pubkey(1), Track.pubkey(2))
            sink.recordRequest(ip: "192.0.2.1", authors: [pk1, pk2], kinds: [1], now: Self.now)
            sink.recordServed(ip: "192.0.2.1", events: 7, now: Self.now)
            sink.recordStorageSnapshot(day: Self.now, storeBytes: 10, eventCount: 1, now: Self.now)
            let held = sink.pendingKeys

            let doomed = try schema.writer()
            let pid = try #require(try doomed.scalar("select pg_backend_pid()"))
            let admin = try schema.connect()
            #expect(try admin.scalar("select pg_terminate_backend($1::int, 5000)", [.string(pid)]) == "t")
            let error = try #require(throws: PostgresError.self) { try sink.flush(to: doomed) }
            #expect(error.isConnectionFailure)
            #expect(sink.flushFailures == 1)
            #expect(sink.lastFlushError != nil)
            #expect(sink.pendingKeys == held && sink.droppedKeys == 0)
            #expect(try schema.count("req_pubkey_popularity") == 0)

            // More arrives before the server is back; the next flush writes both, once.
            sink.recordRequest(ip: "192.0.2.1", authors: [pk1], kinds: [1], now: Self.now)
            sink.recordStorageSnapshot(day: Self.now, storeBytes: 20, eventCount: 2, now: Self.now)
            let writer = try schema.writer()
            try sink.flush(to: writer)
            #expect(sink.lastFlushError == nil && sink.pendingKeys == 0)
            #expect(try sink.flush(to: writer).totalRows == 0)
            #expect(
                try schema.rows("select pubkey, total_requests from req_pubkey_popularity order by 1") == [
                    [pk1, "2"], [pk2, "1"],
                ])
            #expect(try schema.rows("select request_count, events_served from ip_traffic_hourly") == [["2", "7"]])
            #expect(try schema.rows("select request_count from req_author_cooccurrence") == [["1"]])
            #expect(try schema.rows("select request_count from req_kind_totals") == [["2"]])
            #expect(try schema.rows("select store_bytes, event_count from storage_snapshots_daily") == [["20", "2"]])
        }
    }

    @Test func anSQLErrorMidFlushCommitsNothingAndKeepsTheBatch() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            sink.recordRequest(ip: "192.0.2.1", authors: [Track.pubkey(1)], kinds: [1], now: Self.now)
            sink.recordRejectedRequestKind(kind: 9, now: Self.now)
            let writer = try schema.writer()
            // A table written late in the flush is missing: the earlier ones must roll back too.
            try writer.execute("alter table rejected_req_kinds rename to rejected_req_kinds_away")
            #expect(throws: PostgresError.self) { try sink.flush(to: writer) }
            #expect(writer.isConnected && !writer.isInTransaction)
            #expect(try schema.count("req_pubkey_popularity") == 0)
            try writer.execute("alter table rejected_req_kinds_away rename to rejected_req_kinds")
            let report = try sink.flush(to: writer)
            #expect(report["req_pubkey_popularity"] == 1 && report["rejected_req_kinds"] == 1)
            #expect(try schema.rows("select total_requests from req_pubkey_popularity") == [["1"]])
        }
    }

    @Test func utcBucketsAndTimestampText() {
        let time = TrackingTime(Track.time("2024-02-29T23:59:59.999999Z"))
        #expect(TrackingTime.dateText(day: time.day) == "2024-02-29")
        #expect(TrackingTime.timestampText(microseconds: time.hourStart * 1_000_000) == "2024-02-29 23:00:00.000000+00")
        #expect(TrackingTime.timestampText(microseconds: -1) == "1969-12-31 23:59:59.999999+00")
        #expect(TrackingTime.dateText(day: 0) == "1970-01-01")
    }
}
