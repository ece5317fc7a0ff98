import Foundation
import LMDB
import NostrCore

/// A unit of work for the writer.
enum WriteJob {
    case save([Event])
    case purgeExpired(now: Int64)

    var eventCount: Int {
        switch self {
        case .save(let events): events.count
        case .purgeExpired: 1
        }
    }
}

/// What a job produced.
struct WriteResult {
    var outcomes: [SaveOutcome] = []
    /// For each event saved, the sequence number it was stored under (nil when not stored now).
    var sequences: [UInt64?] = []
    var purged = 0
}

/// The store's single writer: a thread that takes every job queued, applies them all in one write
/// transaction, commits once (durably), then completes each job. Batching many callers into one
/// commit is what makes durable writes fast (group commit). The queue is bounded.
final class GroupCommitWriter: @unchecked Sendable {
    private struct Pending {
        var job: WriteJob
        var completion: @Sendable (Result<WriteResult, Error>) -> Void
    }

    private let configuration: EventStoreConfiguration
    private let environment: Environment
    private let tables: Tables
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [Pending] = []
    private var queuedEvents = 0
    private var stopping = false
    private var running = false
    private var finished = false

    init(configuration: EventStoreConfiguration, environment: Environment, tables: Tables) {
        self.configuration = configuration
        self.environment = environment
        self.tables = tables
    }

    /// Runs the writer on a thread of the store's own (`WriterThread.own`).
    func startThread() {
        let thread = Thread { [self] in
            // Best effort, for debuggers: Foundation on Linux drops a name set before the thread starts
            // and does not always apply one set here (the relay's writer runs on a DedicatedThread,
            // which names its thread itself).
            Thread.current.name = "pp-store-writer"
            run()
        }
        thread.stackSize = Self.stackSize
        thread.start()
    }

    /// The writer's stack: the batch's transaction and index writes are built on it.
    static let stackSize = 4 << 20

    /// Queues a job; `completion` runs on the writer thread after the commit (or the failure).
    func enqueue(_ job: WriteJob, completion: @escaping @Sendable (Result<WriteResult, Error>) -> Void) {
        condition.lock()
        if stopping {
            condition.unlock()
            completion(.failure(StoreError.closed))
            return
        }
        if queuedEvents > 0 && queuedEvents + job.eventCount > configuration.maxQueuedEvents {
            let queued = queuedEvents
            condition.unlock()
            completion(.failure(StoreError.overloaded(queued: queued)))
            return
        }
        pending.append(Pending(job: job, completion: completion))
        queuedEvents += job.eventCount
        condition.broadcast()  // stop() may wait on the same condition
        condition.unlock()
    }

    /// Asks `run()` to commit what is queued and return; returns at once.
    func requestStop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        condition.unlock()
    }

    /// Commits what is queued and ends the writer, waiting until it has. A writer that never
    /// ran (an external thread that never started) drains the queue on the calling thread
    /// instead. Safe to call more than once.
    func stop() {
        requestStop()
        condition.lock()
        let started = running || finished
        condition.unlock()
        if !started { run() }
        condition.lock()
        while !finished { condition.wait() }
        condition.unlock()
    }

    /// The writer: takes everything queued, commits it, and again, until a stop is requested and
    /// the queue is empty. Returns at once if the writer already runs (there is one writer).
    func run() {
        condition.lock()
        guard !running && !finished else {
            condition.unlock()
            return
        }
        running = true
        condition.unlock()
        defer {
            condition.lock()
            running = false
            finished = true
            condition.broadcast()
            condition.unlock()
        }
        while true {
            condition.lock()
            while pending.isEmpty && !stopping { condition.wait() }
            if pending.isEmpty && stopping {
                condition.unlock()
                return
            }
            // Take jobs up to the batch limit (always at least one).
            var batch: [Pending] = []
            var events = 0
            while let next = pending.first,
                batch.isEmpty || events + next.job.eventCount <= configuration.maxBatchEvents
            {
                batch.append(pending.removeFirst())
                events += next.job.eventCount
            }
            queuedEvents -= events
            condition.unlock()
            commit(batch)
        }
    }

    /// Events waiting for the writer now.
    var queuedEventCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedEvents
    }

    private func commit(_ batch: [Pending]) {
        let now = configuration.clock()
        let started = ContinuousClock.now
        var replaced: [Event] = []
        let results: Result<[WriteResult], Error> = Result {
            try environment.write { txn in
                var writer = try StoreWriter(txn: txn, tables: tables, now: now)
                let results = try writer.apply(batch.map(\.job))
                try writer.finish()
                replaced = writer.replaced
                return results
            }
        }
        switch results {
        case .success(let values):
            configuration.onCommit?(batch.reduce(0) { $0 + $1.job.eventCount }, ContinuousClock.now - started)
            // The archive hears of replaced versions before any caller is answered.
            if let onReplace = configuration.onReplace { replaced.forEach(onReplace) }
            for (item, value) in zip(batch, values) { item.completion(.success(value)) }
        case .failure(let error):
            for item in batch { item.completion(.failure(error)) }
        }
    }
}
