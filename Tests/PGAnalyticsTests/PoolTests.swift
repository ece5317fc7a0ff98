import Dispatch
import Foundation
import PGAnalytics
import Testing

@Suite("PostgreSQL connection pool")
struct PoolTests {
    struct Boom: Error {}

    @Test func queryReturnsItsResult() async throws {
        let pool = PostgresPool(url: try TestDatabase.url())
        defer { pool.shutdown() }
        let answer = try await pool.withConnection { try $0.scalar("select $1::int + 2", [.int(40)]) }
        #expect(answer == "42")
    }

    @Test func concurrentJobsShareAtMostSizeBackendsOnPoolThreads() async throws {
        let pool = PostgresPool(url: try TestDatabase.url(), size: 2)
        defer { pool.shutdown() }
        let runs = try await withThrowingTaskGroup(of: (pid: String?, onPoolThread: Bool).self) { group in
            for _ in 0..<50 {
                group.addTask {
                    try await pool.withConnection { connection in
                        (try connection.scalar("select pg_backend_pid()"), PostgresPool.isPoolThread)
                    }
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(runs.count == 50)
        let pids = Set(runs.map(\.pid))
        #expect(!pids.contains(nil))
        #expect((1...2).contains(pids.count), "\(pids)")
        // Every job ran on the pool's own threads, never on the caller's (the concurrency pool).
        #expect(runs.filter { !$0.onPoolThread }.isEmpty)
        #expect(!PostgresPool.isPoolThread)
    }

    @Test func errorsReachTheCallerAndThePoolKeepsItsConnection() async throws {
        let pool = PostgresPool(url: try TestDatabase.url(), size: 1)
        defer { pool.shutdown() }
        let before = try await pool.withConnection { try $0.scalar("select pg_backend_pid()") }
        await #expect(throws: Boom.self) {
            try await pool.withConnection { _ in throw Boom() }
        }
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.execute("select * from no_such_table_for_pool_tests") }
        }
        #expect(error?.sqlState == "42P01")
        #expect(error?.isConnectionFailure == false)
        // Neither error is a connection failure, so the same backend serves the next job.
        let after = try await pool.withConnection { try $0.scalar("select pg_backend_pid()") }
        #expect(after == before)
    }

    @Test func terminatedBackendFailsOneJobThenThePoolReconnects() async throws {
        let pool = PostgresPool(url: try TestDatabase.url(), size: 1)
        defer { pool.shutdown() }
        let pid = try #require(
            try await pool.withConnection { try $0.execute("select pg_backend_pid()").rows[0].int(0) })
        let killer = try TestDatabase.connect()
        // The timeout makes the call wait until the backend has exited.
        #expect(try killer.scalar("select pg_terminate_backend($1::int, 5000)", [.int(pid)]) == "t")

        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.execute("select 1") }
        }
        #expect(error?.isConnectionFailure == true, "\(String(describing: error))")
        let fresh = try await pool.withConnection { try $0.execute("select pg_backend_pid()").rows[0].int(0) }
        #expect(fresh != pid)
    }

    @Test func unreachableServerFailsTheJobAndLaterJobsRetry() async throws {
        let pool = PostgresPool(url: "postgresql://someone@127.0.0.1:1/nowhere?connect_timeout=2", size: 1)
        defer { pool.shutdown() }
        for _ in 0..<2 {
            let error = await #expect(throws: PostgresError.self) {
                try await pool.withConnection { try $0.execute("select 1") }
            }
            #expect(error?.isConnectionFailure == true)
            #expect(error?.message.contains("127.0.0.1") == true, "\(String(describing: error))")
        }
    }

    @Test func saturatedQueueRefusesAtOnce() async throws {
        let pool = PostgresPool(url: try TestDatabase.url(), size: 1, maxQueued: 2)
        let blocker = Blocker()
        defer {
            blocker.release(3)
            pool.shutdown()
        }
        let running = Task { try await pool.withConnection { blocker.hold($0) } }
        await blocker.waitUntilHeld()
        let queued = (0..<2).map { _ in Task { try await pool.withConnection { blocker.hold($0) } } }
        try await waitUntil { pool.queuedJobs == 2 }

        let start = ContinuousClock.now
        let error = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.execute("select 1") }
        }
        #expect(ContinuousClock.now - start < .milliseconds(500))
        #expect(error?.message.contains("saturated") == true, "\(String(describing: error))")

        blocker.release(3)
        for task in [running] + queued { #expect(try await task.value == "held") }
    }

    @Test func shutdownFailsQueuedJobsLetsRunningOnesFinishAndRefusesLaterCalls() async throws {
        let pool = PostgresPool(url: try TestDatabase.url(), size: 1)
        let blocker = Blocker()
        let running = Task { try await pool.withConnection { blocker.hold($0) } }
        await blocker.waitUntilHeld()
        let queued = Task { try await pool.withConnection { try $0.execute("select 1") } }
        try await waitUntil { pool.queuedJobs == 1 }

        // `shutdown()` blocks until the running job finishes: give it a thread of its own.
        async let shutDown: Void = onThread { pool.shutdown() }
        let queuedError = await #expect(throws: PostgresError.self) { try await queued.value }
        #expect(queuedError?.message.contains("shut down") == true, "\(String(describing: queuedError))")

        blocker.release(1)
        #expect(try await running.value == "held")
        await shutDown
        pool.shutdown()

        let laterError = await #expect(throws: PostgresError.self) {
            try await pool.withConnection { try $0.execute("select 1") }
        }
        #expect(laterError?.message.contains("shut down") == true)
        #expect(pool.queuedJobs == 0)
    }
}

/// A job body that parks its pool thread until the test releases it, and tells the test when it
/// has started.
private final class Blocker: Sendable {
    private let gate = DispatchSemaphore(value: 0)
    private let started: AsyncStream<Void>
    private let startedContinuation: AsyncStream<Void>.Continuation

    init() {
        (started, startedContinuation) = AsyncStream.makeStream()
    }

    /// Runs on a pool thread: proves the connection works, then waits for `release`.
    func hold(_ connection: PostgresConnection) -> String {
        _ = try? connection.execute("select 1")
        startedContinuation.yield()
        gate.wait()
        return "held"
    }

    func waitUntilHeld() async {
        var iterator = started.makeAsyncIterator()
        _ = await iterator.next()
    }

    func release(_ count: Int) {
        for _ in 0..<count { gate.signal() }
    }
}

/// Polls `condition` (cheap, lock-protected state) until it holds, failing after a second.
private func waitUntil(_ condition: () -> Bool) async throws {
    let deadline = ContinuousClock.now + .seconds(1)
    while !condition() {
        try #require(ContinuousClock.now < deadline, "condition not met within a second")
        try await Task.sleep(for: .milliseconds(2))
    }
}

/// Runs a blocking `body` on a thread of its own, so that it holds no concurrency-pool thread.
private func onThread(_ body: @escaping @Sendable () -> Void) async {
    await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
        Thread {
            body()
            continuation.resume()
        }.start()
    }
}
