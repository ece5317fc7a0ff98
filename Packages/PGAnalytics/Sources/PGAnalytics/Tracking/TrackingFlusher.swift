import Dispatch
import Foundation
import Logging
import Synchronization

/// Flushes a `TrackingSink` to PostgreSQL every `interval` until asked to stop.
///
/// libpq blocks, so `run()` belongs on a thread of its own (the relay runs it as a service on a
/// `DedicatedThread`), never on the Swift concurrency pool, where a slow or unreachable server
/// would hold a pool thread hostage. It connects when it has something to write, and keeps the
/// connection between flushes. When PostgreSQL cannot be reached the sink keeps what it holds
/// (within its bounds), the connection is dropped, and the next attempts come at doubling
/// intervals (up to `maxBackoff`) until one succeeds.
///
/// It logs through `logger`, never once per interval: a warning when writing starts failing and a
/// notice when it works again; likewise when the sink starts and stops dropping new keys. What a
/// final flush could not write is lost: an error.
public final class TrackingFlusher: Sendable {
    /// The sink this flusher empties.
    public let sink: TrackingSink
    private let url: String
    private let interval: Duration
    private let maxBackoff: Duration
    private let logger: Logger
    private let stopping = Atomic<Bool>(false)
    /// Signalled by `requestStop()`, so that `run()` wakes from its wait at once.
    private let wake = DispatchSemaphore(value: 0)

    /// A flusher of `sink` to the database at `url` every `interval` (`analytics.flush_seconds`).
    /// After failures it waits twice as long each time, up to `maxBackoff` (or `interval`, if
    /// longer). Nothing happens until `run()` is called.
    public init(
        sink: TrackingSink, url: String, interval: Duration = .seconds(15), maxBackoff: Duration = .seconds(300),
        logger: Logger
    ) {
        precondition(interval > .zero, "the flush interval must be positive")
        self.sink = sink
        self.url = url
        self.interval = interval
        self.maxBackoff = max(maxBackoff, interval)
        self.logger = logger
    }

    /// Asks `run()` to make its final flush and return; returns at once. Idempotent.
    public func requestStop() {
        if !stopping.exchange(true, ordering: .sequentiallyConsistent) { wake.signal() }
    }

    /// Flushes every interval (with backoff after failures) on the calling thread until
    /// `requestStop()`, then makes one final flush and returns.
    ///
    /// The final flush is a single attempt, even while PostgreSQL is down, so that stopping never
    /// waits for it to come back; what it cannot write is lost, and logged. A call to libpq may
    /// still block (a server that accepts but never answers): bound the wait for `run()` to return.
    public func run() {
        var connection: PostgresConnection?
        var failures = 0
        var drops = DropWatch(limit: sink.limits.maxKeys)
        while true {
            let woken = wake.wait(timeout: .now() + Self.dispatchInterval(delay(afterFailures: failures))) == .success
            let stopRequested = woken || stopping.load(ordering: .sequentiallyConsistent)
            if let (level, message) = drops.check(droppedKeys: sink.droppedKeys) {
                logger.log(level: level, "\(message)")
            }
            let failure = attemptFlush(&connection)
            if stopRequested {
                if let failure {
                    logger.error("analytics: final flush failed, \(sink.pendingKeys) keys not written: \(failure)")
                }
                break
            }
            if let failure {
                if failures == 0 {
                    let keeping = "keeping up to \(sink.limits.maxKeys) keys in memory and retrying with backoff"
                    logger.warning("analytics: cannot write to PostgreSQL, \(keeping): \(failure)")
                }
                failures += 1
            } else if failures > 0 {
                logger.notice("analytics: writing to PostgreSQL again after \(failures) failed attempts")
                failures = 0
            }
        }
        connection?.close()
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
