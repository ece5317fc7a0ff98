import Synchronization

/// Writes superseded versions of replaceable events into `event_history` for a bulk path (the
/// importer), where the relay's bounded `TrackingSink` would drop them: versions are held up to
/// `batchSize`, and the caller that fills a batch writes it (one COPY and insert, existing ids
/// kept), so memory stays bounded and a slow database slows the import rather than losing rows.
///
/// The first failure stops the writing: later versions are counted as not recorded, and
/// `finish()` reports the failure.
public final class EventHistoryWriter: Sendable {
    /// What was written when `finish()` returned.
    public struct Report: Sendable, Equatable {
        /// Versions written (including ones already in the table).
        public var recorded = 0
        /// Versions PostgreSQL cannot hold (a NUL character), left out.
        public var unstorable = 0
        /// Versions not written because of `failure`.
        public var notRecorded = 0
        /// The first error, if any.
        public var failure: String?
    }

    private struct State: ~Copyable {
        var connection: PostgresConnection?
        var batch: [ArchivedEvent] = []
        var report = Report()
    }

    private let state: Mutex<State>
    private let batchSize: Int

    /// Connects to `url` and brings the analytics schema up to date (so `event_history` exists).
    public init(url: String, batchSize: Int = 5_000) throws {
        let connection = try PostgresConnection(url: url)
        do {
            try AnalyticsSchema.migrate(connection)
        } catch {
            connection.close()
            throw error
        }
        state = Mutex(State(connection: connection))
        self.batchSize = max(1, batchSize)
    }

    /// Holds `event`, writing the batch when it is full.
    public func append(_ event: ArchivedEvent) {
        state.withLock { state in
            guard state.report.failure == nil else {
                state.report.notRecorded += 1
                return
            }
            state.batch.append(event)
            if state.batch.count >= batchSize { Self.write(&state) }
        }
    }

    /// Writes what is held, closes the connection and reports.
    public func finish() -> Report {
        state.withLock { state in
            if state.report.failure == nil { Self.write(&state) }
            state.connection?.close()
            state.connection = nil
            return state.report
        }
    }

    private static func write(_ state: inout State) {
        guard !state.batch.isEmpty, let connection = state.connection else { return }
        var aggregates = TrackingAggregates()
        aggregates.eventHistory = state.batch
        do {
            let (_, unstorable) = try connection.transaction { try aggregates.write(to: connection) }
            state.report.recorded += state.batch.count - unstorable
            state.report.unstorable += unstorable
        } catch {
            state.report.failure = "\(error)"
            state.report.notRecorded += state.batch.count
        }
        state.batch.removeAll(keepingCapacity: true)
    }
}
