import Logging
import Synchronization

/// The crawler's directory of relays: every relay seen in kind 10002 lists, how its visits went,
/// and a fair schedule of the next visits.
///
/// Everything lives in memory, indexed so that claiming the next visit or evicting a relay is
/// O(log n) (`VisitQueue`), and is persisted in a small LMDB environment of the directory's own, so
/// a restart resumes the schedule, the per-relay sync cursors, the per-pubkey outbox states and the
/// discovery checkpoint. Claims (visits under way) are not persisted: after a restart every relay
/// is free again.
///
/// Relay records are written behind, in group commits: a change waits until 1,024 relays changed,
/// a second passed since the last commit, the queue ran dry (`claimNextDue` found nothing), the
/// discovery checkpoint moves (so discovered relays are never behind it), or the directory closes.
/// A durable commit costs an fsync (~0.4 ms here, far more on some disks) and is taken under the
/// directory's lock, so one per visit would bound how fast dead relays can be cycled and stall every
/// claimer behind it; a crash loses at most a second of visit outcomes, which only brings those
/// relays round again early. Cursors and outbox states are written at once.
///
/// Fairness: due relays are visited least recently visited first, and a visit's end — success or
/// failure — always sets `lastAttempt` and pushes `nextAttempt` forward (exponentially after
/// failures), so one dead relay can never stay at the head of the queue.
///
/// A write that fails (a full disk) is logged and the directory carries on in memory: losing a
/// little schedule state costs only an early revisit after a restart.
public final class RelayDirectory: Sendable {
    private struct State {
        var queue = VisitQueue()
        var store: DirectoryStore?
        var random: SplitMix64
        var droppedForSpace = 0
        var checkpoint: UInt64 = 0
        var changed: Set<String> = []
        var removed: Set<String> = []
        /// Relay writes not committed yet, the latest per relay.
        var pending: [String: DirectoryStore.RelayWrite] = [:]
        var lastCommit = ContinuousClock.now

        mutating func noteChanged(_ url: String) {
            changed.insert(url)
            removed.remove(url)
        }

        mutating func noteRemoved(_ url: String) {
            changed.remove(url)
            removed.insert(url)
        }
    }

    /// The most relays the directory holds (seeds may exceed it; they are never refused).
    public let maxRelays: Int
    /// How visits are scheduled.
    public let policy: SchedulePolicy
    private let path: String
    private let logger: Logger
    private let state: Mutex<State>

    /// Opens (creating) the directory's own LMDB environment at `path` (a directory), holding at
    /// most `maxRelays`. A directory holding more (after `maxRelays` was lowered) is trimmed at once,
    /// unreachable relays first. `jitterSeed` fixes the jitter's random draws (tests); nil seeds
    /// them from the system.
    public init(
        path: String, maxRelays: Int, policy: SchedulePolicy = .init(), mapSizeBytes: Int = 1 << 30,
        jitterSeed: UInt64? = nil, logger: Logger = Logger(label: "purplepages.crawler.directory")
    ) throws {
        self.maxRelays = max(0, maxRelays)
        self.policy = policy
        self.path = path
        self.logger = logger
        let store = try DirectoryStore(path: path, mapSizeBytes: mapSizeBytes)
        var initial = State(store: store, random: SplitMix64(seed: jitterSeed ?? UInt64.random(in: .min ... .max)))
        for record in try store.loadRecords() { initial.queue.insert(record) }
        initial.checkpoint = try store.loadCheckpoint()
        var trimmed: [DirectoryStore.RelayWrite] = []
        while initial.queue.count > self.maxRelays, let victim = initial.queue.evictionCandidate {
            initial.queue.remove(victim)
            initial.droppedForSpace += 1
            trimmed.append(.delete(victim))
        }
        try store.apply(trimmed)
        state = Mutex(initial)
    }

    /// How many relays are known.
    public var count: Int { state.withLock { $0.queue.count } }

    /// Relays claimed and not finished.
    public var inFlight: Int { state.withLock { $0.queue.inFlightCount } }

    /// URLs refused or evicted because the directory was full, since it was opened.
    public var droppedForSpace: Int { state.withLock { $0.droppedForSpace } }

    /// Adds URLs not yet known (first seen now, due now); returns how many were new. When full,
    /// evicts the unreachable relay dropped first (never succeeded or most consecutive failures,
    /// then oldest last success, then oldest first seen; never a seed, never one in flight); when
    /// nothing is evictable the new URL is refused.
    ///
    /// "Unreachable" means its last visit failed: a relay not visited yet has not shown it is dead,
    /// and a flood of new URLs must not churn out each other before any is tried. URLs longer than
    /// 400 UTF-8 bytes (no real relay's) are ignored.
    @discardableResult
    public func discover(_ urls: some Sequence<String>, now: Int64) -> Int {
        state.withLock { state in
            var writes: [DirectoryStore.RelayWrite] = []
            var added = 0
            for url in urls where !state.queue.contains(url) && DirectorySchema.isStorable(url) {
                guard makeRoom(&state, writes: &writes) else { continue }
                let record = RelayRecord(url: url, firstSeen: now, nextAttempt: now)
                state.queue.insert(record)
                state.noteChanged(url)
                writes.append(.put(record))
                added += 1
            }
            stage(&state, writes)
            return added
        }
    }

    /// Marks `urls` as seeds (adding them if new), due now if never visited. Seeds are added even
    /// to a full directory with nothing to evict.
    public func addSeeds(_ urls: [String], now: Int64) {
        state.withLock { state in
            var writes: [DirectoryStore.RelayWrite] = []
            for url in urls where DirectorySchema.isStorable(url) {
                if !state.queue.contains(url) {
                    _ = makeRoom(&state, writes: &writes, counting: false)
                    state.queue.insert(RelayRecord(url: url, firstSeen: now, isSeed: true, nextAttempt: now))
                } else {
                    let current = state.queue.record(url)!
                    let dueNow = current.lastAttempt == nil && current.nextAttempt > now
                    guard !current.isSeed || dueNow else { continue }
                    state.queue.update(url) { record in
                        record.isSeed = true
                        if dueNow { record.nextAttempt = now }
                    }
                }
                state.noteChanged(url)
                writes.append(.put(state.queue.record(url)!))
            }
            stage(&state, writes)
        }
    }

    /// Makes `urls` the seeds: `addSeeds(urls)`, and every other relay marked as a seed (one
    /// removed from the configuration) becomes an ordinary discovered relay again.
    public func setSeeds(_ urls: [String], now: Int64) {
        let keep = Set(urls)
        state.withLock { state in
            var writes: [DirectoryStore.RelayWrite] = []
            for record in state.queue.records where record.isSeed && !keep.contains(record.url) {
                _ = state.queue.update(record.url) { $0.isSeed = false }
                state.noteChanged(record.url)
                writes.append(.put(state.queue.record(record.url)!))
            }
            stage(&state, writes)
        }
        addSeeds(urls, now: now)
    }

    /// Evicts one relay if the directory is full; false when it is full and nothing may go (a
    /// refusal, counted in `droppedForSpace` when `counting`, as every eviction is).
    private func makeRoom(
        _ state: inout State, writes: inout [DirectoryStore.RelayWrite], counting: Bool = true
    ) -> Bool {
        guard state.queue.count >= maxRelays else { return true }
        guard let victim = state.queue.evictionCandidate else {
            if counting { state.droppedForSpace += 1 }
            return false
        }
        state.droppedForSpace += 1
        state.queue.remove(victim)
        state.noteRemoved(victim)
        writes.append(.delete(victim))
        return true
    }

    /// Replaces every relay's listedBy with `counts` (absent = 0).
    public func setListedBy(_ counts: [String: Int]) {
        state.withLock { state in
            var writes: [DirectoryStore.RelayWrite] = []
            for record in state.queue.records {
                let listedBy = counts[record.url] ?? 0
                guard listedBy != record.listedBy else { continue }
                let updated = state.queue.update(record.url, reindex: false) { $0.listedBy = listedBy }!
                state.noteChanged(record.url)
                writes.append(.put(updated))
            }
            stage(&state, writes)
        }
    }

    /// The record of `url`, if known.
    public func record(for url: String) -> RelayRecord? { state.withLock { $0.queue.record(url) } }

    /// A snapshot of every record, in no particular order.
    public func records() -> [RelayRecord] { state.withLock { $0.queue.records } }

    /// The due relay (nextAttempt <= now, not in flight) visited least recently (never visited
    /// first, then oldest lastAttempt; ties by url), marked in flight until `finishVisit`; nil when
    /// none is due. O(log n).
    public func claimNextDue(now: Int64) -> RelayRecord? {
        state.withLock { state in
            let record = state.queue.claimNextDue(now: now)
            // The crawler is about to wait: a good moment to commit what is staged.
            if record == nil { commit(&state) }
            return record
        }
    }

    /// Claims a specific relay if it is known and not in flight (for seeds' dedicated work), else
    /// nil. Its schedule is not consulted: the claim is the caller's decision.
    public func claim(_ url: String, now: Int64) -> RelayRecord? { state.withLock { $0.queue.claim(url) } }

    /// When the next relay not in flight becomes due (nil: none). At or before the present when one
    /// is due already.
    public var nextDueTime: Int64? { state.withLock { $0.queue.nextDueTime } }

    /// Records a visit's outcome and schedules the next: success → failures reset, next = now +
    /// revisit ± jitter; failure → consecutiveFailures+1, failures+1, next = now + min(max, initial *
    /// 2^(n-1)) ± jitter; lastAttempt = now either way (the Go bug: failures did not update it).
    /// Releases the claim. Unknown URLs are ignored.
    public func finishVisit(_ url: String, result: VisitResult, now: Int64) {
        state.withLock { state in
            var random = state.random
            let updated = state.queue.finish(url) { record in
                record.lastAttempt = now
                record.visits += 1
                if result.succeeded {
                    record.lastSuccess = now
                    record.consecutiveFailures = 0
                    record.nextAttempt = now + policy.jittered(policy.revisitSeconds, random: &random)
                } else {
                    record.consecutiveFailures += 1
                    record.failures += 1
                    let backoff = policy.backoff(consecutiveFailures: record.consecutiveFailures)
                    record.nextAttempt = now + policy.jittered(backoff, random: &random)
                }
                record.eventsContributed += result.eventsStored
                record.bytesReceived += result.bytesReceived
                if let negentropy = result.supportsNegentropy { record.supportsNegentropy = negentropy }
                record.lastError = result.error.map { String($0.prefix(RelayRecord.maxErrorLength)) }
            }
            state.random = random
            guard let updated else { return }
            state.noteChanged(url)
            stage(&state, [.put(updated)])
        }
    }

    /// The cursor of (relay url, stream name), if one was stored.
    public func cursor(relay: String, stream: String) -> SyncCursor? {
        guard let key = DirectorySchema.cursorKey(relay: relay, stream: stream), let store = currentStore else {
            return nil
        }
        return logging("read the cursor of \(relay) \(stream)") { try store.cursor(key: key) } ?? nil
    }

    /// Stores the cursor of (relay url, stream name). Keys past LMDB's 511 bytes are not stored.
    public func setCursor(_ cursor: SyncCursor, relay: String, stream: String) {
        guard let key = DirectorySchema.cursorKey(relay: relay, stream: stream) else {
            logger.error("cursor key too long, not stored", metadata: ["relay": "\(relay)", "stream": "\(stream)"])
            return
        }
        guard let store = currentStore else { return }
        logging("store the cursor of \(relay) \(stream)") { try store.storeCursor(cursor, key: key) }
    }

    /// How far discovery has read the event store (a store sequence number), persisted.
    public var discoveryCheckpoint: UInt64 { state.withLock { $0.checkpoint } }

    /// Stores how far discovery has read the event store, with every staged relay write in the
    /// same transaction: a checkpoint on disk never runs ahead of the relays discovered before it.
    public func setDiscoveryCheckpoint(_ sequence: UInt64) {
        state.withLock { state in
            state.checkpoint = sequence
            commit(&state, checkpoint: sequence)
        }
    }

    /// The outbox state of `pubkey`, if one was stored. Read from disk: there may be far more
    /// pubkeys than relays, so they are not kept in memory.
    public func outboxState(of pubkey: String) -> OutboxState? {
        guard let key = DirectorySchema.outboxKey(pubkey), let store = currentStore else { return nil }
        return logging("read the outbox state of \(pubkey)") { try store.outboxState(key: key) } ?? nil
    }

    /// Stores outbox states, in one transaction.
    public func setOutboxStates(_ states: [String: OutboxState]) {
        guard let store = currentStore else { return }
        let entries = states.compactMap { pubkey, state in DirectorySchema.outboxKey(pubkey).map { ($0, state) } }
        logging("store \(entries.count) outbox states") { try store.storeOutboxStates(entries) }
    }

    /// Records changed since the last call (for the tracking sink), and urls removed since then;
    /// clears both.
    public func takeChanges() -> (changed: [RelayRecord], removed: [String]) {
        state.withLock { state in
            let changed = state.changed.compactMap { state.queue.record($0) }
            let removed = Array(state.removed)
            state.changed = []
            state.removed = []
            return (changed, removed)
        }
    }

    /// Flushes and closes the environment. The directory keeps answering from memory afterwards,
    /// but nothing more is persisted.
    public func close() {
        let store = state.withLock { state in
            commit(&state)
            defer { state.store = nil }
            return state.store
        }
        guard let store else { return }
        logging("flush the directory") { try store.environment.sync() }
        // The environment closes when `store`, its last reference, goes here.
    }

    private var currentStore: DirectoryStore? { state.withLock { $0.store } }

    deinit {
        // A directory dropped without `close()` still commits what it staged.
        state.withLock { commit(&$0) }
    }

    /// The relay writes staged before a commit is due, and the wait before one is.
    static let commitBatch = 1024
    static let commitInterval = Duration.seconds(1)

    /// Stages `writes` and commits them with the rest when a batch or the interval is reached.
    private func stage(_ state: inout State, _ writes: [DirectoryStore.RelayWrite]) {
        for write in writes { state.pending[write.url] = write }
        if state.pending.count >= Self.commitBatch || ContinuousClock.now - state.lastCommit >= Self.commitInterval {
            commit(&state)
        }
    }

    /// Commits the staged relay writes (and `checkpoint`) in one transaction. On failure they stay
    /// staged, at most one per relay, for the next attempt.
    private func commit(_ state: inout State, checkpoint: UInt64? = nil) {
        state.lastCommit = ContinuousClock.now
        guard let store = state.store, !state.pending.isEmpty || checkpoint != nil else { return }
        let writes = state.pending.values
        let committed = logging("write \(writes.count) relay records") {
            try store.apply(writes, checkpoint: checkpoint)
            return true
        }
        if committed == true { state.pending = [:] }
    }

    @discardableResult
    private func logging<R>(_ what: @autoclosure () -> String, _ body: () throws -> R) -> R? {
        do {
            return try body()
        } catch {
            logger.error("relay directory: could not \(what())", metadata: ["path": "\(path)", "error": "\(error)"])
            return nil
        }
    }
}
