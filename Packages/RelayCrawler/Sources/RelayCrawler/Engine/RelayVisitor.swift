import Foundation
import Logging
import NostrClient
import NostrCore
import RelaySync
import Synchronization

/// One visit of one relay: connect, then reconcile the crawled kinds by negentropy when the
/// relay speaks NIP-77, or page with REQ from the persisted cursor when it does not; within the
/// visit's time and event budgets. Never throws: the result says what happened.
struct RelayVisitor: Sendable {
    let directory: RelayDirectory
    let store: any SyncStore
    let options: CrawlerOptions
    let statistics: CrawlerStatistics
    /// Bounds the reconciliations running at once (each holds the store's item list).
    let reconciliations: AsyncSlots
    let logger: Logger

    /// The cursor stream of the crawled kinds: another set of kinds starts its own backfill.
    var stream: String { "kinds:" + options.kinds.map { String($0.rawValue) }.joined(separator: ",") }

    /// Visits `record`'s relay; `budgeted` false lifts the time and event budgets (a seed's backfill).
    func visit(_ record: RelayRecord, budgeted: Bool, now: Int64) async -> VisitResult {
        let counting = CountingStore(store, statistics: statistics)
        let work = Task { () -> VisitResult in
            await run(record, store: counting, budget: budgeted ? options.visitEvents : nil, now: now)
        }
        let result: VisitResult
        if budgeted {
            let timedOut = Atomic<Bool>(false)
            let timer = Task {
                try? await Task.sleep(for: options.visitTime)
                if !Task.isCancelled {
                    timedOut.store(true, ordering: .sequentiallyConsistent)
                    work.cancel()
                }
            }
            // The visit's own task: cancelled by its timer, or with the crawler (shutdown).
            var outcome = await withTaskCancellationHandler {
                await work.value
            } onCancel: {
                work.cancel()
            }
            timer.cancel()
            if timedOut.load(ordering: .sequentiallyConsistent) {
                // Cut short: what it stored counts, and a visit that brought something succeeded.
                outcome.eventsStored = counting.stored
                outcome.succeeded = counting.stored > 0
                let reason = outcome.error.map { " (\($0))" } ?? ""
                outcome.error = outcome.succeeded ? nil : "no answer within \(options.visitTime)\(reason)"
            }
            result = outcome
        } else {
            result = await withTaskCancellationHandler {
                await work.value
            } onCancel: {
                work.cancel()
            }
        }
        statistics.visitsCount.add(1, ordering: .relaxed)
        if !result.succeeded { statistics.visitFailuresCount.add(1, ordering: .relaxed) }
        statistics.bytesReceivedCount.add(Int(result.bytesReceived), ordering: .relaxed)
        let detail = result.error.map { ", \($0)" } ?? ""
        logger.debug(
            "visited \(record.url): \(result.succeeded ? "ok" : "failed"), \(result.eventsStored) events stored\(detail)"
        )
        return result
    }

    private func run(_ record: RelayRecord, store: CountingStore, budget: Int?, now: Int64) async -> VisitResult {
        let client: RelayClient
        do {
            client = try await RelayClient.connect(to: record.url, configuration: options.client, logger: logger)
        } catch {
            if case RelayClientError.addressRefused = error {
                statistics.refusedAddressesCount.add(1, ordering: .relaxed)
            }
            return VisitResult(succeeded: false, error: "\(error)")
        }
        var result = VisitResult(succeeded: true)
        do {
            if record.supportsNegentropy != false {
                let reconciled = try await reconcile(record.url, over: client, store: store, budget: budget, now: now)
                result.supportsNegentropy = reconciled
                if !reconciled { try await page(record.url, over: client, store: store, budget: budget, now: now) }
            } else {
                try await page(record.url, over: client, store: store, budget: budget, now: now)
            }
        } catch {
            result.succeeded = store.stored > 0
            result.error = "\(error)"
        }
        result.eventsStored = store.stored
        result.bytesReceived = Int64(client.statistics.bytesReceived)
        await client.close()
        return result
    }

    /// Reconciles by negentropy; false when the relay does not speak it (nothing was done then).
    private func reconcile(
        _ url: String, over client: RelayClient, store: CountingStore, budget: Int?, now: Int64
    ) async throws
        -> Bool
    {
        var sync = SyncOptions(filter: Filter(kinds: options.kinds))
        sync.fallBackToPaging = false
        sync.maxDownloads = budget
        sync.saveBatch = options.ingestBatch
        sync.responseTimeout = options.responseTimeout
        sync.negentropyTimeout = options.negentropyTimeout
        guard await reconciliations.acquire() else { throw CancellationError() }
        let summary = await StoreSynchronizer(store: store, options: sync, logger: logger).run(with: client)
        reconciliations.release()
        statistics.eventsReceivedCount.add(summary.received, ordering: .relaxed)
        statistics.eventsRefusedCount.add(summary.refused.values.reduce(0, +), ordering: .relaxed)
        if let error = summary.error {
            // A relay whose set is too large for one negentropy session is paged instead.
            if case .remoteRefused(let text) = error, text.contains("blocked") { return false }
            if case .tooManyItems = error { return false }
            throw error
        }
        guard summary.method == .negentropy else { return false }
        let complete = budget.map { summary.need <= $0 } ?? true
        if complete {
            var cursor = directory.cursor(relay: url, stream: stream) ?? SyncCursor()
            cursor.newestSeen = max(cursor.newestSeen ?? 0, now)
            cursor.backfillComplete = true
            cursor.pagingUntil = nil
            directory.setCursor(cursor, relay: url, stream: stream)
        }
        return true
    }

    /// Pages with REQ from the persisted cursor.
    private func page(
        _ url: String, over client: RelayClient, store: CountingStore, budget: Int?, now: Int64
    ) async throws {
        let pager = ResumablePager(
            client: client, store: store, kinds: options.kinds, options: options, statistics: statistics,
            logger: logger)
        var outcome = ResumablePager.Outcome()
        let start = directory.cursor(relay: url, stream: stream) ?? SyncCursor()
        _ = try await pager.run(from: start, now: now, budget: budget, outcome: &outcome) { cursor in
            directory.setCursor(cursor, relay: url, stream: stream)
        }
        if outcome.crowdedSeconds > 0 {
            logger.info("\(url): \(outcome.crowdedSeconds) seconds held more events than it returns at once")
        }
    }
}
