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
        writer = configuration.readOnly ? nil : GroupCommitWriter(configuration: configuration)
        writer?.start(environment: environment, tables: tables)
    }

    /// Stops the writer after it has committed everything queued.
    public func close() { writer?.stop() }

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

/// The opened tables, by name.
struct Tables: Sendable {
    let info, payloads, metas, ids, byCreatedAt, byKind, byPubkeyKind, byTag: Database
    let addresses, expirations, deletions, addressDeletions, kindCounts: Database

    init(environment: Environment, path: String) throws {
        func open(_ table: Schema.Table) throws -> Database {
            do {
                return try environment.openDatabase(table.rawValue, flags: table.flags)
            } catch let error as LMDBError where environment.isReadOnly && error.isNotFound {
                throw StoreError.missing(path: path)
            }
        }
        info = try open(.info)
        payloads = try open(.payloads)
        metas = try open(.metas)
        ids = try open(.ids)
        byCreatedAt = try open(.byCreatedAt)
        byKind = try open(.byKind)
        byPubkeyKind = try open(.byPubkeyKind)
        byTag = try open(.byTag)
        addresses = try open(.addresses)
        expirations = try open(.expirations)
        deletions = try open(.deletions)
        addressDeletions = try open(.addressDeletions)
        kindCounts = try open(.kindCounts)
        try checkSchemaVersion(environment: environment, path: path)
    }

    private func checkSchemaVersion(environment: Environment, path: String) throws {
        let key = Array("schema-version".utf8)
        let found = try environment.read { txn in
            try txn.get(info, key: key).map { UInt32(bigEndian: $0.loadUnaligned(as: UInt32.self)) }
        }
        if let found, found != Schema.version {
            throw StoreError.schemaMismatch(path: path, found: found, expected: Schema.version)
        }
        if found == nil && !environment.isReadOnly {
            try environment.write { txn in
                try txn.put(info, key: key, value: withUnsafeBytes(of: Schema.version.bigEndian) { Array($0) })
            }
        }
    }
}
