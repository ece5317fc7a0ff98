import Foundation
import Logging
import NostrClient
import NostrCore
import RelaySync

/// Reads a relay's events of some kinds by REQ pages, newest first, saving each page before
/// asking for the next and persisting where it stopped, so a restart or a budget that ran out
/// resumes there instead of downloading everything again.
///
/// `until` is inclusive: a page that ends inside a second asks again from that second and skips
/// what it already saw (the Go original asked from the second before and lost the rest of it).
/// A page that is all one second is read whole with `since == until` and a larger limit, then per
/// kind if the relay still caps it; only a second holding more events of one kind than the relay
/// will return at once can be cut short, and those are counted.
struct ResumablePager {
    let client: RelayClient
    let store: any SyncStore
    let kinds: [Kind]
    let options: CrawlerOptions
    let statistics: CrawlerStatistics
    let logger: Logger

    /// What one paging run did.
    struct Outcome {
        var stored = 0
        var received = 0
        var pages = 0
        /// Seconds that held more events than the relay would return at once.
        var crowdedSeconds = 0
        /// Whether the run stopped at its event budget before reaching the end.
        var stoppedAtBudget = false
        /// The newest second seen.
        var newest: Int64?
    }

    /// Pages from `start` on, at most `budget` stored events (nil: no budget), calling `persist`
    /// with the cursor after every page that was stored. Returns the cursor reached.
    func run(
        from start: SyncCursor, now: Int64, budget: Int?, outcome: inout Outcome,
        persist: (SyncCursor) -> Void
    ) async throws -> SyncCursor {
        var cursor = start
        // 1. What arrived since the last complete pass, when there was one.
        if cursor.backfillComplete {
            let since = (cursor.newestSeen ?? 0) - Int64(options.liveOverlap.components.seconds)
            let finished = try await page(
                since: max(0, since), until: nil, budget: budget, outcome: &outcome,
                onPage: { _, _ in })
            // Everything up to the visit's start has been read.
            if finished { cursor.newestSeen = max(cursor.newestSeen ?? 0, now) }
            persist(cursor)
            return cursor
        }
        // 2. The backfill, from where it stopped.
        let finished = try await page(
            since: nil, until: cursor.pagingUntil, budget: budget, outcome: &outcome,
            onPage: { until, _ in
                // The backfill started from the visit's start: later visits catch up from there.
                if cursor.newestSeen == nil { cursor.newestSeen = now }
                cursor.pagingUntil = until
                persist(cursor)
            })
        if finished {
            cursor.backfillComplete = true
            cursor.pagingUntil = nil
            if cursor.newestSeen == nil { cursor.newestSeen = now }
            persist(cursor)
        }
        return cursor
    }

    /// Pages down from `until` (nil: now) to `since`; returns true when it reached the end, false
    /// when the budget stopped it. `onPage` gets the next page's `until` and the newest second
    /// seen, after the page was saved.
    private func page(
        since: Int64?, until start: Int64?, budget: Int?, outcome: inout Outcome,
        onPage: (Int64, Int64) -> Void
    ) async throws -> Bool {
        var until = start
        // Ids already seen in the boundary second (the next page may show them again).
        var boundary = Set<EventID>()
        while true {
            if let budget, outcome.stored >= budget {
                outcome.stoppedAtBudget = true
                return false
            }
            let filter = Filter(kinds: kinds, since: since, until: until, limit: options.pageSize)
            let events = try await request(filter)
            outcome.pages += 1
            guard let oldest = events.lazy.map(\.createdAt).min(), let newest = events.lazy.map(\.createdAt).max()
            else { return true }
            outcome.newest = max(outcome.newest ?? newest, newest)
            let fresh = events.filter { !boundary.contains($0.id) }
            if let bound = until, oldest >= bound {
                // The whole page sits on the boundary second.
                if events.count >= options.pageSize || !fresh.isEmpty {
                    try await readWholeSecond(bound, seen: boundary, outcome: &outcome)
                }
                guard bound - 1 >= (since ?? 0) else { return true }
                until = bound - 1
                boundary = []
            } else {
                try await save(fresh, outcome: &outcome)
                boundary = Set(events.lazy.filter { $0.createdAt == oldest }.map(\.id))
                until = oldest
            }
            onPage(until!, newest)
        }
    }

    /// Reads every event of one second: in one REQ with a large limit, or per kind when the relay
    /// caps that too.
    private func readWholeSecond(_ second: Int64, seen: Set<EventID>, outcome: inout Outcome) async throws {
        let filter = Filter(kinds: kinds, since: second, until: second, limit: options.crowdedSecondLimit)
        var events = try await request(filter)
        let capped = { (events: [Event]) in events.count >= min(options.crowdedSecondLimit, options.pageSize * 2) }
        if capped(events) && kinds.count > 1 {
            var all: [Event] = []
            for kind in kinds {
                let perKind = Filter(kinds: [kind], since: second, until: second, limit: options.crowdedSecondLimit)
                let part = try await request(perKind)
                if part.count >= options.crowdedSecondLimit { outcome.crowdedSeconds += 1 }
                all += part
            }
            events = all
        } else if events.count >= options.crowdedSecondLimit {
            outcome.crowdedSeconds += 1
        }
        var ids = seen
        try await save(events.filter { ids.insert($0.id).inserted }, outcome: &outcome)
    }

    /// One REQ up to its EOSE: the matching events.
    private func request(_ filter: Filter) async throws -> [Event] {
        try await client.collect(filter, timeout: options.responseTimeout, statistics: statistics, logger: logger)
    }

    private func save(_ events: [Event], outcome: inout Outcome) async throws {
        guard !events.isEmpty else { return }
        let saved = try await store.save(events)
        let stored = saved.count { $0 == .stored || $0 == .replaced }
        outcome.stored += stored
        outcome.received += events.count
    }
}
