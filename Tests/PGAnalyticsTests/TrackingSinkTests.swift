import Dispatch
import Foundation
import PGAnalytics
import PurplePagesTestSupport
import Testing

@Suite("Tracking sink: what each record writes")
struct TrackingSinkTests {
    static let t1 = Track.time("2024-03-10T12:34:56.789Z")
    static let t1Text = "2024-03-10 12:34:56.789+00"
    static let ip = "203.0.113.7"

    @Test func everyRecordLandsInItsTableAfterOneFlush() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let (pk1, pk2, pk3) = (Track.pubkey(1), Track.pubkey(2), Track.pubkey(3))
            // Repeats in a filter count once.
            sink.recordRequest(ip: Self.ip, authors: [pk2, pk1, pk2], kinds: [1, 0, 1], now: Self.t1)
            sink.recordServed(ip: Self.ip, events: 42, now: Self.t1)
            sink.recordRejectedEvent(kind: 4, pubkey: pk3, now: Self.t1)
            sink.recordRejectedRequestKind(kind: 30078, now: Self.t1)
            sink.recordStorageSnapshot(day: Self.t1, storeBytes: 1 << 30, eventCount: 123_456, now: Self.t1)
            let archived = ArchivedEvent(
                id: Track.eventID(1), pubkey: pk1, kind: 0, createdAt: 1_700_000_000,
                tagsJSON: #"[["p","\#(pk2)"]]"#, content: #"{"name":"alice"}"#, sig: Track.signature,
                archivedAt: Self.t1)
            sink.recordReplacedEvent(archived)
            #expect(sink.pendingKeys == 2 + 2 + 4 + 1 + 2 + 2 + 1 + 1)
            #expect(sink.pendingHistoryEvents == 1)

            let report = try sink.flush(to: schema.writer())
            #expect(
                report.rowsByTable == [
                    "ip_traffic_hourly": 1, "ip_traffic_daily": 1, "req_pubkey_popularity": 2,
                    "req_pubkey_kind_popularity": 4, "req_author_cooccurrence": 1, "req_kind_totals": 2,
                    "req_kind_daily": 2, "rejected_events": 1, "rejected_req_kinds": 1, "storage_snapshots_daily": 1,
                    "event_history": 1,
                ])
            #expect(report.totalRows == 17)
            #expect(sink.pendingKeys == 0 && sink.pendingHistoryEvents == 0)
            #expect(sink.lastFlushError == nil && sink.flushFailures == 0)

            let t1 = Self.t1Text
            #expect(try schema.table("req_pubkey_popularity", orderBy: 1) == [[pk1, "1", t1], [pk2, "1", t1]])
            #expect(
                try schema.table("req_pubkey_kind_popularity", orderBy: 2) == [
                    [pk1, "0", "1"], [pk1, "1", "1"], [pk2, "0", "1"], [pk2, "1", "1"],
                ])
            #expect(try schema.table("req_author_cooccurrence", orderBy: 2) == [[pk1, pk2, "1", t1]])
            #expect(try schema.table("req_kind_totals", orderBy: 1) == [["0", "1", t1], ["1", "1", t1]])
            #expect(
                try schema.table("req_kind_daily", orderBy: 2) == [
                    ["2024-03-10", "0", "1"], ["2024-03-10", "1", "1"],
                ])
            #expect(
                try schema.table("ip_traffic_hourly", orderBy: 2) == [["2024-03-10 12:00:00+00", Self.ip, "1", "42"]])
            #expect(try schema.table("ip_traffic_daily", orderBy: 2) == [["2024-03-10", Self.ip, "1", "42"]])
            #expect(try schema.table("rejected_events", orderBy: 2) == [["4", pk3, "1", t1]])
            #expect(try schema.table("rejected_req_kinds", orderBy: 1) == [["30078", "1", t1]])
            #expect(
                try schema.table("storage_snapshots_daily", orderBy: 1) == [["2024-03-10", "1073741824", "123456", t1]])
            #expect(
                try schema.rows(
                    "select id, pubkey, kind, created_at, tags::text, content, sig, archived_at from event_history")
                    == [
                        [
                            archived.id, pk1, "0", "1700000000", #"[["p", "\#(pk2)"]]"#, archived.content,
                            Track.signature, t1,
                        ]
                    ])
        }
    }

    @Test func twoFlushesAddUpAndKeepTheLatestTimes() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let writer = try schema.writer()
            let (pk1, pk2, pk3) = (Track.pubkey(1), Track.pubkey(2), Track.pubkey(3))
            let t0 = Self.t1.addingTimeInterval(-60)  // earlier, recorded later: must not win
            let t2 = Self.t1.addingTimeInterval(3600)  // the next hour, same day
            let (t1Text, t2Text) = (Self.t1Text, "2024-03-10 13:34:56.789+00")
            let event = ArchivedEvent(
                id: Track.eventID(7), pubkey: pk1, kind: 3, createdAt: 1, tagsJSON: "[]", content: "first",
                sig: Track.signature, archivedAt: Self.t1)

            sink.recordRequest(ip: Self.ip, authors: [pk1, pk2], kinds: [1], now: Self.t1)
            sink.recordServed(ip: Self.ip, events: 10, now: Self.t1)
            sink.recordRejectedEvent(kind: 4, pubkey: pk3, now: Self.t1)
            sink.recordRejectedRequestKind(kind: 5, now: Self.t1)
            sink.recordStorageSnapshot(day: Self.t1, storeBytes: 100, eventCount: 10, now: Self.t1)
            sink.recordReplacedEvent(event)
            try sink.flush(to: writer)

            sink.recordRequest(ip: Self.ip, authors: [pk2, pk1], kinds: [1], now: t0)
            sink.recordRequest(ip: Self.ip, authors: [pk1], kinds: [1], now: t2)
            sink.recordServed(ip: Self.ip, events: 5, now: t2)
            sink.recordRejectedEvent(kind: 4, pubkey: pk3, now: t0)
            sink.recordRejectedRequestKind(kind: 5, now: t2)
            sink.recordStorageSnapshot(day: Self.t1, storeBytes: 200, eventCount: 20, now: t2)
            var again = event
            again.content = "second"
            sink.recordReplacedEvent(again)
            let second = try sink.flush(to: writer)
            // The id was already archived: nothing inserted.
            #expect(second["event_history"] == 0)
            #expect(second["ip_traffic_hourly"] == 2 && second["req_pubkey_popularity"] == 2)

            #expect(
                try schema.table("req_pubkey_popularity", orderBy: 1) == [[pk1, "3", t2Text], [pk2, "2", t1Text]])
            #expect(try schema.table("req_pubkey_kind_popularity", orderBy: 2) == [[pk1, "1", "3"], [pk2, "1", "2"]])
            #expect(try schema.table("req_author_cooccurrence", orderBy: 2) == [[pk1, pk2, "2", t1Text]])
            #expect(try schema.table("req_kind_totals", orderBy: 1) == [["1", "3", t2Text]])
            #expect(try schema.table("req_kind_daily", orderBy: 2) == [["2024-03-10", "1", "3"]])
            #expect(
                try schema.table("ip_traffic_hourly", orderBy: 2) == [
                    ["2024-03-10 12:00:00+00", Self.ip, "2", "10"], ["2024-03-10 13:00:00+00", Self.ip, "1", "5"],
                ])
            #expect(try schema.table("ip_traffic_daily", orderBy: 2) == [["2024-03-10", Self.ip, "3", "15"]])
            #expect(try schema.table("rejected_events", orderBy: 2) == [["4", pk3, "2", t1Text]])
            #expect(try schema.table("rejected_req_kinds", orderBy: 1) == [["5", "2", t2Text]])
            #expect(try schema.table("storage_snapshots_daily", orderBy: 1) == [["2024-03-10", "200", "20", t2Text]])
            #expect(try schema.rows("select content from event_history") == [["first"]])
        }
    }

    @Test func sixteenConcurrentRecordersGiveExactTotals() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let (workers, records) = (16, 10_000)
            let now = Self.t1
            let pubkeys = (0..<7).map(Track.pubkey)
            let groups = (100..<103).map(Track.pubkey)
            let ips = (0..<4).map { "10.0.0.\($0)" }
            DispatchQueue.concurrentPerform(iterations: workers) { worker in
                for index in 0..<records {
                    let ip = ips[worker % 4]
                    sink.recordRequest(
                        ip: ip, authors: [pubkeys[index % 7], groups[worker % 3]], kinds: [index % 3], now: now)
                    if index % 10 == 0 { sink.recordServed(ip: ip, events: 3, now: now) }
                }
            }
            // The same records, counted one by one.
            var requestsByIP: [String: Int] = [:]
            var popularity: [String: Int] = [:]
            var pairs: [String: Int] = [:]
            var kinds: [String: Int] = [:]
            for worker in 0..<workers {
                for index in 0..<records {
                    requestsByIP[ips[worker % 4], default: 0] += 1
                    let (a, b) = (pubkeys[index % 7], groups[worker % 3])
                    popularity[a, default: 0] += 1
                    popularity[b, default: 0] += 1
                    pairs[min(a, b) + " " + max(a, b), default: 0] += 1
                    kinds[String(index % 3), default: 0] += 1
                }
            }
            try sink.flush(to: schema.writer())
            let traffic = try schema.rows("select ip, request_count, events_served from ip_traffic_daily order by ip")
            #expect(traffic == requestsByIP.keys.sorted().map { [$0, String(requestsByIP[$0]!), "\(4 * 1000 * 3)"] })
            let hourly = try schema.rows("select sum(request_count), sum(events_served) from ip_traffic_hourly")
            #expect(hourly == [["160000", "48000"]])
            let stored = try schema.rows("select pubkey, total_requests from req_pubkey_popularity order by pubkey")
            #expect(stored == popularity.keys.sorted().map { [$0, String(popularity[$0]!)] })
            let storedPairs = try schema.rows(
                "select pubkey_a || ' ' || pubkey_b, request_count from req_author_cooccurrence order by 1")
            #expect(storedPairs == pairs.keys.sorted().map { [$0, String(pairs[$0]!)] })
            let storedKinds = try schema.rows("select kind, request_count from req_kind_totals order by kind")
            #expect(storedKinds == kinds.keys.sorted().map { [$0, String(kinds[$0]!)] })
            #expect(try schema.rows("select sum(request_count) from req_pubkey_kind_popularity") == [["320000"]])
        }
    }

    @Test func cooccurrencePairsTheAuthorsOfSmallFiltersOnlyAsSortedPairs() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            // 20 distinct authors in descending order, with a repeat that must not count twice.
            var authors = (1...20).reversed().map(Track.pubkey)
            authors.insert(Track.pubkey(17), at: 3)
            sink.recordRequest(ip: Self.ip, authors: authors, kinds: [], now: Self.t1)
            // A feed of 21 authors forms no pairs, but its authors still count as requested.
            sink.recordRequest(ip: Self.ip, authors: (30...50).map(Track.pubkey), kinds: [], now: Self.t1)
            let report = try sink.flush(to: schema.writer())
            #expect(report["req_author_cooccurrence"] == 190)
            #expect(report["req_pubkey_popularity"] == 41)
            #expect(report["req_pubkey_kind_popularity"] == 0 && report["req_kind_totals"] == 0)
            #expect(try schema.count("req_author_cooccurrence") == 190)
            #expect(
                try schema.rows("select count(*) from req_author_cooccurrence where not pubkey_a < pubkey_b") == [["0"]]
            )
            let paired = try schema.rows(
                "select pubkey_a from req_author_cooccurrence union "
                    + "select pubkey_b from req_author_cooccurrence order by 1"
            )
            #expect(paired == (1...20).map { [Track.pubkey($0)] })
            #expect(try schema.rows("select distinct request_count from req_author_cooccurrence") == [["1"]])
        }
    }

    @Test func trickyStringsSurviveCopyExactly() throws {
        try TrackingSchema.with { schema in
            let sink = TrackingSink(limits: TrackingLimits())
            let content =
                "quote ' double \" backslash \\ \\N tab \t newline \n return \r emoji 🟣👩‍👩‍👧 end\\"
            let tags = #"[["t","a\"b\\c\td\ne"],["emoji","🟣",":\\N:"],["r","wss://x/?a=1&b=\u00e9"]]"#
            sink.recordReplacedEvent(
                ArchivedEvent(
                    id: Track.eventID(1), pubkey: Track.pubkey(1), kind: 0, createdAt: 1, tagsJSON: tags,
                    content: content, sig: Track.signature, archivedAt: Self.t1))
            // What PostgreSQL cannot store is left out (and counted), not allowed to fail every flush.
            for (number, (content, tags)) in [("nul \u{0} inside", "[]"), ("fine", #"[["t","\u0000"]]"#)].enumerated() {
                sink.recordReplacedEvent(
                    ArchivedEvent(
                        id: Track.eventID(2 + number), pubkey: Track.pubkey(1), kind: 0, createdAt: 1,
                        tagsJSON: tags, content: content, sig: Track.signature, archivedAt: Self.t1))
            }
            // An escaped backslash before `u0000` is no NUL.
            let escapedBackslash = #"[["t","\\u0000"]]"#
            sink.recordReplacedEvent(
                ArchivedEvent(
                    id: Track.eventID(9), pubkey: Track.pubkey(1), kind: 0, createdAt: 1, tagsJSON: escapedBackslash,
                    content: "", sig: Track.signature, archivedAt: Self.t1))
            sink.recordRequest(ip: "::ffff:192.0.2.1\t\\", authors: [], kinds: [], now: Self.t1)

            let report = try sink.flush(to: schema.writer())
            #expect(report["event_history"] == 2)
            #expect(sink.droppedHistory == 2)
            let connection = try schema.connect()
            let row = try connection.execute(
                "select content, tags = $1::jsonb, tags->0->>1, tags->1->>2 from event_history where id = $2",
                [.string(tags), .string(Track.eventID(1))]
            ).rows
            #expect(row.count == 1)
            #expect(try row.first?.string(0) == content)
            #expect(try row.first?.bool(1) == true)
            #expect(try row.first?.string(2) == "a\"b\\c\td\ne")
            #expect(try row.first?.string(3) == ":\\N:")
            #expect(
                try connection.scalar(
                    "select tags->0->>1 from event_history where id = $1", [.string(Track.eventID(9))])
                    == "\\u0000")
            #expect(try schema.rows("select ip from ip_traffic_daily") == [["::ffff:192.0.2.1\t\\"]])
        }
    }
}
