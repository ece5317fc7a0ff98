import Dispatch
import Foundation
import Synchronization

/// Flushes a `TrackingSink` to PostgreSQL every `interval` from a thread of its own, until `stop()`.
///
/// libpq blocks, so this runs on a Foundation `Thread` rather than the Swift concurrency pool,
/// where a slow or unreachable server would hold a pool thread hostage. It connects when it has
/// something to write, and keeps the connection between flushes. When PostgreSQL cannot be reached
/// the sink keeps what it holds (within its bounds), the connection is dropped, and the next
/// attempts come at doubling intervals (up to `maxBackoff`) until one succeeds.
///
/// Logs go through `log`, never once per interval: one line when writing starts failing and one
/// when it works again; likewise when the sink starts and stops dropping new keys.
public final class TrackingFlusher: Sendable {
    /// The sink this flusher empties.
    public let sink: TrackingSink
    private let url: String
    private let interval: Duration
    private let maxBackoff: Duration
    private let log: @Sendable (String) -> Void
    private let stopping = Mutex(false)
    /// Signalled by `stop()`, so that the thread wakes from its wait at once.
    private let wake = DispatchSemaphore(value: 0)
    /// Signalled by the thread as it exits; `stop()` waits for it.
    private let exited = DispatchSemaphore(value: 0)

    /// Starts a thread that flushes `sink` to the database at `url` every `interval`
    /// (`analytics.flush_seconds`). After failures it waits twice as long each time, up to
    /// `maxBackoff` (or `interval`, if longer). Call `stop()` before letting go of it: the thread
    /// keeps it alive until then.
    public init(
        sink: TrackingSink, url: String, interval: Duration = .seconds(15), maxBackoff: Duration = .seconds(300),
        log: @escaping @Sendable (String) -> Void
    ) {
        precondition(interval > .zero, "the flush interval must be positive")
        self.sink = sink
        self.url = url
        self.interval = interval
        self.maxBackoff = max(maxBackoff, interval)
        self.log = log
        let thread = Thread { [self] in run() }
        thread.name = "pp-flush"  // Linux thread names: 15 bytes at most
        thread.start()
    }

    /// Stops the thread after one final flush, and returns whether it finished within `timeout`.
    ///
    /// The final flush is a single attempt, even while PostgreSQL is down, so that shutting down
    /// never waits for it to come back; what it cannot write is lost, and logged. A thread stuck
    /// in libpq past `timeout` (a server that accepts but never answers) is left behind, and this
    /// returns false. Calling it again waits again.
    @discardableResult
    public func stop(timeout: Duration = .seconds(10)) -> Bool {
        let first = stopping.withLock { stopping in
            defer { stopping = true }
            return !stopping
        }
        if first { wake.signal() }
        guard exited.wait(timeout: .now() + Self.dispatchInterval(timeout)) == .success else { return false }
        // Leave the signal for any other caller waiting in `stop()`.
        exited.signal()
        return true
    }

    // MARK: The thread

    private func run() {
        var connection: PostgresConnection?
        var failures = 0
        var drops = DropWatch(limit: sink.limits.maxKeys)
        while true {
            let stopRequested =
                wake.wait(timeout: .now() + Self.dispatchInterval(delay(afterFailures: failures))) == .success
            if let message = drops.check(droppedKeys: sink.droppedKeys) { log(message) }
            let failure = attemptFlush(&connection)
            if stopRequested {
                if let failure {
                    log("analytics: final flush failed, \(sink.pendingKeys) keys not written: \(failure)")
                }
                break
            }
            if let failure {
                if failures == 0 {
                    log(
                        "analytics: cannot write to PostgreSQL, keeping up to \(sink.limits.maxKeys) keys in memory "
                            + "and retrying with backoff: \(failure)")
                }
                failures += 1
            } else if failures > 0 {
                log("analytics: writing to PostgreSQL again after \(failures) failed attempts")
                failures = 0
            }
        }
        connection?.close()
        exited.signal()
    }

    /// One flush, connecting first if needed; returns the error, or nil when it succeeded (or
    /// there was nothing to write, which does not connect).
    private func attemptFlush(_ connection: inout PostgresConnection?) -> (any Error)? {
        guard sink.hasPending else { return nil }
        do {
            if connection?.isConnected != true {
                connection?.close()
                connection = nil
                do {
                    connection = try PostgresConnection(url: url)
                } catch {
                    sink.noteFailure(error)
                    return error
                }
            }
            guard let connection else { return nil }
            try sink.flush(to: connection)
            return nil
        } catch {
            // A lost connection is not reused: the next attempt connects afresh. Other failures
            // (a missing table) leave a healthy connection open.
            if let current = connection,
                !current.isConnected || (error as? PostgresError)?.isConnectionFailure == true
            {
                current.close()
                connection = nil
            }
            return error
        }
    }

    /// `interval` after a success, then doubling with each consecutive failure, up to `maxBackoff`.
    private func delay(afterFailures failures: Int) -> Duration {
        var delay = interval
        for _ in 0..<min(failures, 32) where delay < maxBackoff { delay *= 2 }
        return min(delay, maxBackoff)
    }

    private static func dispatchInterval(_ duration: Duration) -> DispatchTimeInterval {
        let (seconds, attoseconds) = duration.components
        // Past a billion seconds (31 years) is never, and well within Int's nanoseconds.
        guard seconds < 1_000_000_000 else { return .never }
        return .nanoseconds(Int(max(0, seconds * 1_000_000_000 + attoseconds / 1_000_000_000)))
    }
}

/// Turns the sink's running count of dropped keys into one log line when dropping starts and one
/// when a whole interval passed without drops.
struct DropWatch {
    let limit: Int
    private var seen = 0
    private var episodeStart: Int?

    init(limit: Int) { self.limit = limit }

    mutating func check(droppedKeys: Int) -> String? {
        defer { seen = droppedKeys }
        if droppedKeys > seen {
            guard episodeStart == nil else { return nil }
            episodeStart = seen
            return "analytics: dropping new keys past \(limit) until the next flush"
        }
        guard let start = episodeStart else { return nil }
        episodeStart = nil
        return "analytics: no longer dropping keys (\(droppedKeys - start) dropped)"
    }
}
