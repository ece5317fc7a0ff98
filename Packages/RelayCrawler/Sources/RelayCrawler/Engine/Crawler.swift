import Foundation
import LMDBStore
import Logging
import NostrClient
import NostrCore
import RelaySync

/// The network crawler: fills the store from other relays. It backfills and then follows the
/// seed relays, visits the relays people list in their kind 10002 (found by `RelayDiscovery`)
/// fairly through the `RelayDirectory`'s schedule, and fetches the pubkeys that matter from their
/// own write relays (`OutboxSync`). Connections are bounded by `maxConnections` in all; the store
/// sees one crawler batch at a time; every event was checked by the client before it got here.
public final class Crawler: Sendable {
    let directory: RelayDirectory
    let store: EventStore
    let destination: GatedSyncStore
    let options: CrawlerOptions
    let targets: (any OutboxTargets)?
    /// Totals since start.
    public let statistics: CrawlerStatistics
    let connections: AsyncSlots
    let reconciliations: AsyncSlots
    let logger: Logger

    /// A crawler reading `store` (discovery, outbox lists) and saving into `destination` (the
    /// relay's ingest in the relay process, the store itself in `purplepages crawl --once`).
    public init(
        directory: RelayDirectory, store: EventStore, destination: any SyncStore, options: CrawlerOptions,
        targets: (any OutboxTargets)? = nil, statistics: CrawlerStatistics = CrawlerStatistics(),
        logger: Logger = Logger(label: "purplepages.crawler")
    ) {
        self.directory = directory
        self.store = store
        self.destination = GatedSyncStore(
            destination: destination, batchSize: options.ingestBatch, queuedBatches: options.ingestQueueBatches)
        self.options = options
        self.targets = targets
        self.statistics = statistics
        self.connections = AsyncSlots(capacity: options.maxConnections)
        self.reconciliations = AsyncSlots(capacity: options.maxConcurrentReconciliations)
        self.logger = logger
        directory.setSeeds(options.seeds, now: Self.now)
    }

    var visitor: RelayVisitor {
        RelayVisitor(
            directory: directory, store: destination, options: options, statistics: statistics,
            reconciliations: reconciliations, logger: logger)
    }

    var discovery: RelayDiscovery {
        RelayDiscovery(store: store, directory: directory, skipPrivateURLs: options.skipPrivateURLs, logger: logger)
    }

    var outbox: OutboxSync {
        OutboxSync(
            store: store, destination: destination, directory: directory, options: options, statistics: statistics,
            connections: connections, logger: logger)
    }

    static var now: Int64 { Int64(Date().timeIntervalSince1970) }

    // MARK: One pass

    /// One pass, for cron and tests: discovery, then a visit of every seed (without budgets, so
    /// its backfill finishes, or brings what is new) and of every discovered relay that is due,
    /// then an outbox pass; no live subscriptions. Returns what it did.
    public func runOnce() async -> CrawlPassSummary {
        let started = ContinuousClock.now
        let before = Snapshot(statistics)
        var summary = CrawlPassSummary()
        discover(recount: true)
        let now = Self.now
        // Every seed is visited each pass (a resumed backfill, or what is new since the last);
        // discovered relays when they are due.
        var claimed = options.seeds.compactMap { directory.claim($0, now: now) }
        while let record = directory.claimNextDue(now: now) {
            if record.isSeed || options.discoverRelays {
                claimed.append(record)
            } else {
                directory.finishVisit(record.url, result: VisitResult(succeeded: true), now: now)
            }
        }
        await withTaskGroup(of: Void.self) { group in
            for record in claimed {
                group.addTask { [self] in
                    guard await connections.acquire() else {
                        directory.finishVisit(
                            record.url, result: VisitResult(succeeded: false, error: "cancelled"), now: Self.now)
                        return
                    }
                    defer { connections.release() }
                    let result = await visitor.visit(record, budgeted: !record.isSeed, now: Self.now)
                    directory.finishVisit(record.url, result: result, now: Self.now)
                }
            }
        }
        summary.relaysVisited = claimed.count
        if options.outbox.enabled, let targets {
            let pass = await outbox.pass(
                targets: targets.outboxTargets(limit: options.outbox.maxPubkeys), now: Self.now)
            summary.outboxPubkeys = pass.pubkeys
            summary.outboxRelays = pass.relays
        }
        // What the pass brought, counted now rather than at the next pass.
        discover(recount: true)
        let after = Snapshot(statistics)
        summary.visitFailures = after.visitFailures - before.visitFailures
        summary.eventsStored = after.eventsStored - before.eventsStored
        summary.eventsRefused = after.eventsRefused - before.eventsRefused
        summary.bytesReceived = after.bytesReceived - before.bytesReceived
        summary.relaysKnown = directory.count
        summary.elapsed = ContinuousClock.now - started
        logger.info("crawl pass: \(summary.line)")
        return summary
    }

    // MARK: Running

    /// Crawls until cancelled: a task per seed (backfill, then live), the scheduler visiting due
    /// relays, discovery every `discoveryInterval`, and an outbox pass every `outbox.interval`.
    public func run() async {
        logger.info(
            "crawler: \(options.seeds.count) seed relays, \(directory.count) relays known, kinds \(options.kinds.map(\.rawValue))"
        )
        await withTaskGroup(of: Void.self) { group in
            // Live subscriptions leave at least one connection for visits.
            let liveSeeds = options.live ? Array(options.seeds.prefix(max(0, options.maxConnections - 1))) : []
            if options.live && liveSeeds.count < options.seeds.count {
                logger.warning(
                    "crawler: sync.max_connections \(options.maxConnections) leaves no room to follow \(options.seeds.count - liveSeeds.count) seed relays live; they are visited on schedule"
                )
            }
            for seed in liveSeeds { group.addTask { await self.followSeed(seed) } }
            group.addTask { await self.schedule() }
            group.addTask { await self.discoverPeriodically() }
            group.addTask { await self.summarizePeriodically() }
            if options.outbox.enabled, targets != nil { group.addTask { await self.outboxPeriodically() } }
            await group.waitForAll()
        }
        logger.info("crawler stopped")
    }

    /// A seed's backfill (no budgets, resumed after failures), then its live subscription.
    private func followSeed(_ url: String) async {
        var failures = 0
        while !Task.isCancelled {
            guard let record = directory.claim(url, now: Self.now) else {
                try? await Task.sleep(for: .seconds(1))
                continue
            }
            guard await connections.acquire() else {
                directory.finishVisit(url, result: VisitResult(succeeded: false, error: "cancelled"), now: Self.now)
                return
            }
            let result = await visitor.visit(record, budgeted: false, now: Self.now)
            directory.finishVisit(url, result: result, now: Self.now)
            let complete = directory.cursor(relay: url, stream: visitor.stream)?.backfillComplete ?? false
            if result.succeeded && complete {
                let follower = LiveFollower(
                    url: url, directory: directory, store: destination, options: options, statistics: statistics,
                    stream: visitor.stream, logger: logger)
                await follower.run()
                connections.release()
                return
            }
            connections.release()
            failures += 1
            try? await Task.sleep(for: options.reconnectDelay * (1 << min(failures - 1, 6)))
        }
    }

    /// Hands due relays to visits while connections are free.
    private func schedule() async {
        await withTaskGroup(of: Void.self) { group in
            while !Task.isCancelled {
                guard await connections.acquire() else { break }
                let now = Self.now
                guard let record = directory.claimNextDue(now: now) else {
                    connections.release()
                    let wait = max(0, min((directory.nextDueTime ?? now + 5) - now, 5))
                    try? await Task.sleep(for: .seconds(max(wait, 1)))
                    continue
                }
                if !record.isSeed && !options.discoverRelays {
                    connections.release()
                    directory.finishVisit(record.url, result: VisitResult(succeeded: true), now: now)
                    continue
                }
                group.addTask { [self] in
                    defer { connections.release() }
                    let result = await visitor.visit(record, budgeted: true, now: Self.now)
                    directory.finishVisit(record.url, result: result, now: Self.now)
                }
            }
            group.cancelAll()
        }
    }

    private func discoverPeriodically() async {
        var lastRecount = ContinuousClock.now - options.recountInterval
        while !Task.isCancelled {
            let recount = ContinuousClock.now - lastRecount >= options.recountInterval
            discover(recount: recount)
            if recount { lastRecount = .now }
            try? await Task.sleep(for: options.discoveryInterval)
        }
    }

    private func outboxPeriodically() async {
        guard let targets else { return }
        while !Task.isCancelled {
            let pass = await outbox.pass(
                targets: targets.outboxTargets(limit: options.outbox.maxPubkeys), now: Self.now)
            if pass.pubkeys > 0 {
                logger.info(
                    "outbox pass: \(pass.pubkeys) pubkeys on \(pass.relays) relays (\(pass.relaysFailed) failed), \(pass.stored) events stored"
                )
            }
            try? await Task.sleep(for: min(options.outbox.interval, .seconds(600)))
        }
    }

    /// Logs what the crawler did since the last summary, every `summaryInterval`.
    private func summarizePeriodically() async {
        var before = Snapshot(statistics)
        var visits = statistics.visits
        while !Task.isCancelled {
            try? await Task.sleep(for: options.summaryInterval)
            if Task.isCancelled { return }
            let now = Snapshot(statistics)
            logger.info(
                """
                crawler: \(statistics.visits - visits) visits (\(now.visitFailures - before.visitFailures) failed), \
                \(now.eventsStored - before.eventsStored) events stored, \(now.eventsRefused - before.eventsRefused) refused, \
                \((now.bytesReceived - before.bytesReceived) / 1024) KiB received, \(statistics.liveConnections) live, \
                \(directory.count) relays known
                """)
            before = now
            visits = statistics.visits
        }
    }

    /// Reads new kind 10002 lists into the directory (and recounts listed-by when asked).
    func discover(recount: Bool) {
        do {
            try discovery.discoverNew(now: Self.now)
            if recount { try discovery.recount() }
        } catch {
            logger.warning("relay discovery failed: \(error)")
        }
    }
}

/// The statistics at one moment, to subtract.
private struct Snapshot {
    var visitFailures, eventsStored, eventsRefused, bytesReceived: Int

    init(_ statistics: CrawlerStatistics) {
        visitFailures = statistics.visitFailures
        eventsStored = statistics.eventsStored
        eventsRefused = statistics.eventsRefused
        bytesReceived = statistics.bytesReceived
    }
}
