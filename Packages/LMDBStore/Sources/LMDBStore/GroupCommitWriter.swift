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
    private let condition = NSCondition()
    // Guarded by `condition`.
    private var pending: [Pending] = []
    private var queuedEvents = 0
    private var stopping = false
    private var thread: Thread?
    private let finished = DispatchSemaphore(value: 0)

    init(configuration: EventStoreConfiguration) {
        self.configuration = configuration
    }

    func start(environment: Environment, tables: Tables) {
        let thread = Thread { [self] in
            run(environment: environment, tables: tables)
            finished.signal()
        }
        thread.name = "pp-store-writer"  // Linux thread names: 15 bytes at most
        thread.stackSize = 4 << 20
        self.thread = thread
        thread.start()
    }

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
        condition.signal()
        condition.unlock()
    }

    /// Finishes what is queued, then ends the thread. Safe to call more than once.
    func stop() {
        condition.lock()
        let wasRunning = !stopping && thread != nil
        stopping = true
        condition.signal()
        condition.unlock()
        if wasRunning { finished.wait() }
    }

    private func run(environment: Environment, tables: Tables) {
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
            commit(batch, environment: environment, tables: tables)
        }
    }

    /// Events waiting for the writer now.
    var queuedEventCount: Int {
        condition.lock()
        defer { condition.unlock() }
        return queuedEvents
    }

    private func commit(_ batch: [Pending], environment: Environment, tables: Tables) {
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
