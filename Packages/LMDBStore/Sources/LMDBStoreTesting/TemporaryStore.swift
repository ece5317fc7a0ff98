import Foundation
import LMDBStore
import NostrCore

/// An `EventStore` in a fresh temporary directory, removed when the value is released.
///
/// Tests use real LMDB environments; this only takes care of where they live.
public final class TemporaryStore: @unchecked Sendable {
    /// The store.
    public let store: EventStore
    /// Its directory.
    public let path: String

    /// Opens a new store; `configure` adjusts the configuration (limits, clock, callbacks).
    public init(_ configure: (inout EventStoreConfiguration) -> Void = { _ in }) throws {
        path =
            FileManager.default.temporaryDirectory
            .appendingPathComponent("purplepages-store-\(UUID().uuidString)").path
        var configuration = EventStoreConfiguration(path: path, mapSizeGB: 1)
        configure(&configuration)
        store = try EventStore(configuration: configuration)
    }

    /// Opens the same directory again, e.g. read-only as a second reader would.
    public func reopen(_ configure: (inout EventStoreConfiguration) -> Void = { _ in }) throws -> EventStore {
        var configuration = EventStoreConfiguration(path: path, mapSizeGB: 1)
        configure(&configuration)
        return try EventStore(configuration: configuration)
    }

    deinit {
        store.close()
        try? FileManager.default.removeItem(atPath: path)
    }
}
