import Foundation
import LMDB
import NostrCore

/// The event store: every event in LMDB, one writer with group commit, queries that never wait.
///
/// Writes from any number of callers queue for a single writer thread, which commits everything
/// queued in one durable transaction; `save` returns once that commit is on disk. Queries run in
/// their own read transaction on the caller's thread. Another process may open the same directory
/// read-only while this one writes.
public final class EventStore: Sendable {
    /// The configuration the store was opened with.
    public let configuration: EventStoreConfiguration
    let environment: Environment
    let tables: Tables
    private let writer: GroupCommitWriter?

    /// The current Unix time in seconds.
    @Sendable public static func unixTime() -> Int64 { Int64(Date().timeIntervalSince1970) }

    /// Opens the store at `configuration.path`, creating it unless read-only.
    public init(configuration: EventStoreConfiguration) throws {
        self.configuration = configuration
        if configuration.readOnly && !FileManager.default.fileExists(atPath: configuration.path + "/data.mdb") {
            throw StoreError.missing(path: configuration.path)
        }
        environment = try Environment(
            path: configuration.path,
            options: .init(
                mapSize: max(1, configuration.mapSizeGB) << 30, maxDatabases: UInt32(Schema.Table.allCases.count + 4),
                readOnly: configuration.readOnly))
        tables = try Tables(environment: environment, path: configuration.path)
        writer =
            configuration.readOnly
            ? nil : GroupCommitWriter(configuration: configuration, environment: environment, tables: tables)
        if configuration.writerThread == .own { writer?.startThread() }
    }

    /// Stops the writer after it has committed everything queued (with `WriterThread.external`,
    /// waits for `runWriter()` to return).
    public func close() { writer?.stop() }

    /// Runs the single writer on the calling thread until `requestWriterStop()` or `close()`, then
    /// returns once everything queued is committed. Only for `WriterThread.external` (otherwise,
    /// and for a read-only store, it returns at once); the thread must be one that may block.
    public func runWriter() {
        guard configuration.writerThread == .external else { return }
        writer?.run()
    }

    /// Asks `runWriter()` to commit what is queued and return; later saves fail with
    /// `StoreError.closed`. Returns at once.
    public func requestWriterStop() { writer?.requestStop() }

    /// The stack size a thread running `runWriter()` needs.
    public static let writerStackSize = GroupCommitWriter.stackSize

    deinit { writer?.stop() }

    // MARK: Writing

    /// Saves events; returns one outcome per event, in order, once they are durably committed.
    public func save(_ events: [Event]) async throws -> [SaveOutcome] {
        guard let writer else { throw StoreError.readOnly }
        return try await withCheckedThrowingContinuation { continuation in
            writer.enqueue(.save(events)) { result in
                continuation.resume(with: result.map { $0.outcomes })
            }
        }
    }

    /// Saves one event.
    public func save(_ event: Event) async throws -> SaveOutcome { try await save([event])[0] }

    /// Queues events and returns at once; `completion` runs on the writer thread after the durable
    /// commit, so a caller can keep many saves in flight (what lets group commit batch them). Each
    /// result carries the event's sequence number when it was stored (compare with `query`'s snapshot).
    public func save(
        _ events: [Event], completion: @escaping @Sendable (Result<[SavedEvent], any Error>) -> Void
    ) {
        guard let writer else { return completion(.failure(StoreError.readOnly)) }
        writer.enqueue(.save(events)) { result in
            completion(result.map { zip($0.outcomes, $0.sequences).map { SavedEvent(outcome: $0, sequence: $1) } })
        }
    }

    /// Saves events and blocks the calling thread until they are committed (for tools and tests;
    /// never call it from an event loop).
    public func saveAndWait(_ events: [Event]) throws -> [SaveOutcome] {
        try runAndWait(.save(events)).outcomes
    }

    /// Deletes every event whose NIP-40 expiration is at or before `now`; returns how many.
    public func purgeExpired(now: Int64? = nil) async throws -> Int {
        guard let writer else { throw StoreError.readOnly }
        let time = now ?? configuration.clock()
        return try await withCheckedThrowingContinuation { continuation in
            writer.enqueue(.purgeExpired(now: time)) { result in
                continuation.resume(with: result.map { $0.purged })
            }
        }
    }

    private func runAndWait(_ job: WriteJob) throws -> WriteResult {
        guard let writer else { throw StoreError.readOnly }
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox()
        writer.enqueue(job) { result in
            box.result = result
            done.signal()
        }
        done.wait()
        return try box.result!.get()
    }

    // MARK: Statistics

    /// Events waiting for the writer (0 for a read-only store).
    public var queuedEvents: Int { writer?.queuedEventCount ?? 0 }

    /// Event counts (from counters the writer maintains) and the size of the store.
    public func statistics() throws -> StoreStatistics {
        try environment.read { txn in
            var byKind: [Kind: Int] = [:]
            try txn.withCursor(tables.kindCounts) { cursor in
                var entry = try cursor.move(.first)
                while let (key, value) = entry {
                    byKind[Kind(rawValue: Schema.readUInt16(key, at: 0))] = Int(Schema.readUInt64(value))
                    entry = try cursor.move(.next)
                }
            }
            return StoreStatistics(
                totalEvents: byKind.values.reduce(0, +), eventsByKind: byKind, sizeBytes: environment.usedBytes)
        }
    }
}

/// Carries a writer's result to a thread blocked in `saveAndWait`.
private final class ResultBox: @unchecked Sendable {
    var result: Result<WriteResult, Error>?
}
