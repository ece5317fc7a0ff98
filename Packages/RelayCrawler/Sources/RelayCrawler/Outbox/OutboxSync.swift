import Foundation
import LMDBStore
import Logging
import NostrClient
import NostrCore
import RelaySync

/// One outbox pass: for the pubkeys that matter and are due, fetch their kinds from their own
/// write relays, one connection per relay with many authors per REQ, incrementally (`since` the
/// last pass) for pubkeys that have every core kind, fully for those lacking one. A pubkey whose
/// relays had nothing new while it still lacks a kind waits twice as long each time (the Go
/// original's gap filler asked again forever), up to a bound; one that is complete is due again
/// after the pass interval.
struct OutboxSync: Sendable {
    let store: EventStore
    let destination: any SyncStore
    let directory: RelayDirectory
    let options: CrawlerOptions
    let statistics: CrawlerStatistics
    let connections: AsyncSlots
    let logger: Logger

    /// Kinds whose absence makes a pubkey incomplete (those of them that are fetched).
    var coreKinds: [Kind] { options.outbox.kinds.filter { [0, 3, 10002].contains($0.rawValue) } }

    /// What a pass did.
    struct Summary: Sendable {
        var pubkeys = 0
        var relays = 0
        var relaysFailed = 0
        var stored = 0
    }

    /// Runs one pass over `targets` (64-hex pubkeys, most important first).
    func pass(targets: [String], now: Int64) async -> Summary {
        var summary = Summary()
        let due = targets.lazy.compactMap { PublicKey(hex: $0) }
            .filter { (directory.outboxState(of: $0.hex)?.nextAttempt ?? 0) <= now }
            .prefix(options.outbox.maxPubkeys)
        let pubkeys = Array(due)
        summary.pubkeys = pubkeys.count
        guard !pubkeys.isEmpty else { return summary }
        let lists = (try? latest(kind: 10002, of: pubkeys)) ?? [:]
        let plan = OutboxPlan(
            pubkeys: pubkeys, lists: lists, seeds: options.seeds, relaysPerPubkey: options.outbox.relaysPerPubkey,
            skipPrivate: options.skipPrivateURLs)
        let complete = (try? completePubkeys(pubkeys)) ?? []
        let storedBefore = (try? newestPerPubkey(pubkeys)) ?? [:]
        var answered = Set<PublicKey>()
        summary.relays = plan.pubkeysByRelay.count
        await withTaskGroup(of: (Set<PublicKey>, Int, Bool).self) { group in
            for (url, authors) in plan.pubkeysByRelay.sorted(by: { $0.key < $1.key }) {
                group.addTask {
                    guard await connections.acquire() else { return ([], 0, false) }
                    defer { connections.release() }
                    return await fetch(url, authors: authors, complete: complete)
                }
            }
            for await (ok, stored, succeeded) in group {
                answered.formUnion(ok)
                summary.stored += stored
                if !succeeded { summary.relaysFailed += 1 }
            }
        }
        let storedAfter = (try? newestPerPubkey(pubkeys)) ?? [:]
        let completeAfter = (try? completePubkeys(pubkeys)) ?? []
        var states: [String: OutboxState] = [:]
        for pubkey in pubkeys {
            var state = directory.outboxState(of: pubkey.hex) ?? OutboxState()
            let gotSomething = storedAfter[pubkey] != storedBefore[pubkey]
            if completeAfter.contains(pubkey) && answered.contains(pubkey) {
                state.misses = 0
                state.since = now
                state.nextAttempt = now + Int64(options.outbox.interval.components.seconds)
            } else if gotSomething {
                state.misses = 0
                state.nextAttempt = now + Int64(options.outbox.interval.components.seconds)
            } else {
                state.misses += 1
                let multiple = min(1 << min(state.misses - 1, 20), options.outbox.maxRetryMultiple)
                state.nextAttempt = now + Int64(options.outbox.retryAfter.components.seconds) * Int64(multiple)
            }
            states[pubkey.hex] = state
        }
        directory.setOutboxStates(states)
        statistics.outboxPassesCount.add(1, ordering: .relaxed)
        statistics.outboxEventsCount.add(summary.stored, ordering: .relaxed)
        return summary
    }

    /// Asks one relay for `authors`; returns the pubkeys it answered for (EOSE), what it stored
    /// and whether the relay could be used at all.
    private func fetch(
        _ url: String, authors: [PublicKey], complete: Set<PublicKey>
    ) async -> (
        Set<PublicKey>, Int, Bool
    ) {
        let counting = CountingStore(destination, statistics: statistics)
        let work = Task { () -> (Set<PublicKey>, Bool) in
            let client: RelayClient
            do {
                client = try await RelayClient.connect(to: url, configuration: options.client, logger: logger)
            } catch {
                if case RelayClientError.addressRefused = error {
                    statistics.refusedAddressesCount.add(1, ordering: .relaxed)
                }
                logger.debug("outbox \(url): \(error)")
                return ([], false)
            }
            var answered = Set<PublicKey>()
            do {
                // Complete pubkeys ask only for what is new; the others for everything.
                let groups = [authors.filter { complete.contains($0) }, authors.filter { !complete.contains($0) }]
                for (index, group) in groups.enumerated() {
                    for start in stride(from: 0, to: group.count, by: options.outbox.authorsPerRequest) {
                        let chunk = Array(group[start..<min(start + options.outbox.authorsPerRequest, group.count)])
                        let since =
                            index == 0
                            ? chunk.compactMap { directory.outboxState(of: $0.hex)?.since }.min().map {
                                $0 - Int64(options.liveOverlap.components.seconds)
                            } : nil
                        try await request(chunk, since: since, over: client, into: counting)
                        answered.formUnion(chunk)
                    }
                }
            } catch {
                logger.debug("outbox \(url): \(error)")
            }
            statistics.bytesReceivedCount.add(client.statistics.bytesReceived, ordering: .relaxed)
            await client.close()
            return (answered, true)
        }
        let timer = Task {
            try? await Task.sleep(for: options.outbox.relayTime)
            if !Task.isCancelled { work.cancel() }
        }
        let (answered, usable) = await withTaskCancellationHandler {
            await work.value
        } onCancel: {
            work.cancel()
        }
        timer.cancel()
        return (answered, counting.stored, usable)
    }

    private func request(
        _ authors: [PublicKey], since: Int64?, over client: RelayClient, into store: CountingStore
    ) async throws {
        let kinds = options.outbox.kinds
        let limit = min(authors.count * kinds.count * 2, 5000)
        let filter = Filter(authors: authors, kinds: kinds, since: since, limit: limit)
        let events = try await client.collect(
            filter, timeout: options.responseTimeout, statistics: statistics, logger: logger)
        _ = try await store.save(events)
    }

    // MARK: What the store holds for the pubkeys (bounded author lists)

    private func latest(kind: Kind, of pubkeys: [PublicKey]) throws -> [PublicKey: Event] {
        var lists: [PublicKey: Event] = [:]
        for chunk in pubkeys.chunked(500) {
            for event in try store.queryEvents([Filter(authors: chunk, kinds: [kind])], limit: chunk.count) {
                lists[event.pubkey] = event
            }
        }
        return lists
    }

    private func completePubkeys(_ pubkeys: [PublicKey]) throws -> Set<PublicKey> {
        let core = coreKinds
        guard !core.isEmpty else { return Set(pubkeys) }
        var held: [PublicKey: Set<Kind>] = [:]
        for chunk in pubkeys.chunked(500) {
            let filter = Filter(authors: chunk, kinds: core)
            for event in try store.queryEvents([filter], limit: chunk.count * core.count) {
                held[event.pubkey, default: []].insert(event.kind)
            }
        }
        return Set(held.filter { $0.value.count == core.count }.keys)
    }

    /// The newest created_at held per pubkey among the fetched kinds (to tell whether a pass brought anything).
    private func newestPerPubkey(_ pubkeys: [PublicKey]) throws -> [PublicKey: [Kind: Int64]] {
        var newest: [PublicKey: [Kind: Int64]] = [:]
        let kinds = options.outbox.kinds.filter { $0.storageClass == .replaceable }
        for chunk in pubkeys.chunked(500) {
            for event in try store.queryEvents([Filter(authors: chunk, kinds: kinds)], limit: chunk.count * kinds.count)
            {
                newest[event.pubkey, default: [:]][event.kind] = event.createdAt
            }
        }
        return newest
    }
}

extension Array {
    /// Consecutive slices of at most `size` elements.
    func chunked(_ size: Int) -> [[Element]] {
        stride(from: 0, to: count, by: size).map { Array(self[$0..<Swift.min($0 + size, count)]) }
    }
}
