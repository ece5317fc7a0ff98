import Dispatch
import Foundation
import Synchronization

/// A few PostgreSQL connections, each on a thread of its own, behind an async API.
///
/// libpq blocks, so its calls must never run on the server's event loops nor on the Swift
/// concurrency pool, where a slow or unreachable server would hold threads hostage. Here every job
/// runs on one of `size` Foundation `Thread`s; the awaiting task is suspended meanwhile. Each
/// thread owns at most one `PostgresConnection`, opened on its first job and opened again after
/// a job fails with a connection failure.
///
/// Jobs wait in a bounded FIFO queue: past `maxQueued` waiting jobs, `withConnection` throws at
/// once rather than letting a stalled database pile up unbounded work (and memory). A queued job
/// runs even if its task is cancelled: the body decides what cancellation means.
///
/// Call `shutdown()` before letting go of a pool: its threads keep it alive until then.
public final class PostgresPool: Sendable {
    /// The number of threads, hence the most connections the pool opens at a time.
    public let size: Int
    /// How many jobs may wait for a thread before `withConnection` refuses more.
    public let maxQueued: Int
    private let url: String
    private let state = Mutex(State())
    /// Counts queued jobs (one signal per job), plus one per thread once shutting down, so an
    /// idle thread sleeps in `wait()` instead of polling.
    private let work = DispatchSemaphore(value: 0)
    /// Entered once per thread before it starts, left as it exits: `shutdown()` joins on it.
    private let exited = DispatchGroup()

    /// Starts `size` threads for the database at `url` (`postgresql://...` or `key=value` pairs).
    /// No connection is opened until a job needs one, so a pool can be made while PostgreSQL is
    /// still down; at most `maxQueued` jobs wait for a free thread.
    public init(url: String, size: Int = 2, maxQueued: Int = 1_000) {
        precondition(size > 0, "a pool needs at least one thread")
        precondition(maxQueued >= 0, "maxQueued cannot be negative")
        self.url = url
        self.size = size
        self.maxQueued = maxQueued
        for index in 1...size {
            exited.enter()
            // Named for debuggers and `top -H` (best effort: on Linux Foundation applies the name
            // only once `start()` has recorded the thread, and caps it at 15 bytes). What code can
            // rely on is `isPoolThread`, which each thread sets for itself.
            let named = DispatchSemaphore(value: 0)
            let thread = Thread { [self] in
                Thread.current.threadDictionary[Self.poolThreadKey] = true
                named.wait()
                run()
            }
            thread.start()
            thread.name = "pg-pool-\(index)"
            named.signal()
        }
    }

    /// Whether the calling thread is one of a pool's own threads (where libpq may block).
    public static var isPoolThread: Bool { Thread.current.threadDictionary[poolThreadKey] as? Bool == true }

    private static let poolThreadKey = "purplepages.postgres-pool-thread"

    /// Runs `body` on a pool thread with that thread's connection and returns its result.
    ///
    /// Throws what `body` throws; the error opening the connection, when it cannot be opened;
    /// a `PostgresError` at once when `maxQueued` jobs already wait, or when the pool is shut down
    /// (or shuts down before the job starts). When `body` throws a connection failure, or leaves a
    /// transaction open, the thread drops its connection so the next job starts on a fresh one.
    /// `body` must not keep the connection beyond its return, nor call `shutdown()`.
    public func withConnection<T: Sendable>(
        _ body: @escaping @Sendable (PostgresConnection) throws -> T
    ) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            let job = Job { connection in
                do {
                    let value = try body(connection.get())
                    continuation.resume(returning: value)
                    return nil
                } catch {
                    continuation.resume(throwing: error)
                    return error
                }
            }
            do {
                try enqueue(job)
            } catch {
                continuation.resume(throwing: error)
            }
        }
    }

    /// Fails the jobs still queued, lets running ones finish, closes the connections and waits for
    /// the threads to exit. Later `withConnection` calls throw. Calling it again (even
    /// concurrently) waits for the same threads and does nothing else. Blocks: do not call it from
    /// a pool job, which would wait for itself.
    public func shutdown() {
        let abandoned = state.withLock { state -> [Job] in
            guard !state.isShutDown else { return [] }
            state.isShutDown = true
            defer { state.removeAll() }
            return state.pending
        }
        // Failed outside the lock, so that it is held only to swap the queue out.
        for job in abandoned { _ = job.run(.failure(Self.shutDownError)) }
        // One wake-up per thread: each finds the queue empty and the pool shut down, and exits.
        // Wake-ups left over from the abandoned jobs only make a thread look at the queue again.
        for _ in 0..<size { work.signal() }
        exited.wait()
    }

    /// How many jobs wait for a free thread now (not counting running ones): for monitoring.
    public var queuedJobs: Int {
        state.withLock { $0.count }
    }

    // MARK: The queue

    /// One caller's request: runs its body with the thread's connection (or the error opening
    /// one, or the shutdown error) and resumes the caller; returns what the body threw, so that
    /// the thread can tell whether its connection is still good.
    private struct Job: Sendable {
        let run: @Sendable (Result<PostgresConnection, PostgresError>) -> (any Error)?
    }

    /// The waiting jobs, oldest first, as an array read from `head` (a deque without a package
    /// dependency: popping moves an index, and the consumed prefix is dropped now and then).
    private struct State: ~Copyable {
        var jobs: [Job] = []
        var head = 0
        var isShutDown = false

        var count: Int { jobs.count - head }
        var pending: [Job] { Array(jobs[head...]) }

        mutating func popFirst() -> Job? {
            guard head < jobs.count else { return nil }
            let job = jobs[head]
            head += 1
            if head == jobs.count {
                removeAll()
            } else if head >= 64, head * 2 >= jobs.count {
                // Compact once the consumed prefix is at least half the array: amortised O(1).
                jobs.removeFirst(head)
                head = 0
            }
            return job
        }

        mutating func removeAll() {
            jobs.removeAll(keepingCapacity: true)
            head = 0
        }
    }

    private static let shutDownError = PostgresError(message: "the PostgreSQL connection pool is shut down")

    private func enqueue(_ job: Job) throws(PostgresError) {
        try state.withLock { state throws(PostgresError) in
            if state.isShutDown { throw Self.shutDownError }
            guard state.count < maxQueued else {
                throw PostgresError(
                    message: "the PostgreSQL connection pool is saturated (\(maxQueued) jobs already queued)")
            }
            state.jobs.append(job)
        }
        work.signal()
    }

    /// The next job, waiting for one; nil once the pool is shut down. Queued jobs are popped only
    /// after a matching wake-up, so before shutdown a wake-up always finds its job.
    private func nextJob() -> Job? {
        work.wait()
        return state.withLock { state in
            state.isShutDown ? nil : state.popFirst()
        }
    }

    // MARK: The threads

    /// A pool thread: runs jobs one at a time on its own connection until the pool shuts down.
    private func run() {
        var connection: PostgresConnection?
        defer {
            connection?.close()
            exited.leave()
        }
        while let job = nextJob() {
            // A connection closed by a job, or found dead by libpq, is replaced before use.
            if let open = connection, !open.isConnected {
                open.close()
                connection = nil
            }
            let opened: Result<PostgresConnection, PostgresError>
            if let connection {
                opened = .success(connection)
            } else {
                do throws(PostgresError) {
                    let fresh = try PostgresConnection(url: url)
                    connection = fresh
                    opened = .success(fresh)
                } catch {
                    opened = .failure(error)
                }
            }
            let error = job.run(opened)
            guard let open = connection else { continue }
            // A dead connection fails every later job, and a transaction left open would leak
            // into the next one: drop the connection, the next job opens a fresh one.
            if (error as? PostgresError)?.isConnectionFailure == true || open.isInTransaction {
                open.close()
                connection = nil
            }
        }
    }
}
